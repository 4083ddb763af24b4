CREATE TABLE int_daily_logins (
    day_start TIMESTAMP(3),
    users BIGINT
) WITH ('connector' = 'blackhole');

INSERT INTO int_daily_logins
SELECT window_start, COUNT(DISTINCT user_id)
FROM TABLE(TUMBLE(TABLE src_logins, DESCRIPTOR(login_time), INTERVAL '1' DAY))
GROUP BY window_start, window_end