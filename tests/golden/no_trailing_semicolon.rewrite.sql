CREATE TABLE int_daily_logins_v2 (
    day_start TIMESTAMP(3),
    users BIGINT
) WITH ('connector' = 'blackhole');

INSERT INTO int_daily_logins_v2
SELECT window_start, COUNT(DISTINCT user_id)
FROM TABLE(TUMBLE(TABLE src_logins_v2, DESCRIPTOR(login_time), INTERVAL '1' DAY))
GROUP BY window_start, window_end