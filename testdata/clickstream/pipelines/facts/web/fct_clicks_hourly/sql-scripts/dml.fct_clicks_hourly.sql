INSERT INTO fct_clicks_hourly
SELECT window_start, window_end, country, COUNT(*) AS clicks, COUNT(DISTINCT user_id) AS users
FROM TABLE(TUMBLE(TABLE int_human_clicks, DESCRIPTOR(click_ts), INTERVAL '1' HOUR))
GROUP BY window_start, window_end, country;
