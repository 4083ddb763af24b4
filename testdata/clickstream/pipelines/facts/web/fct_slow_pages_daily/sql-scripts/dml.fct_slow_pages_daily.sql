INSERT INTO fct_slow_pages_daily
SELECT window_start, window_end, page_url, COUNT(*) AS slow_views, CAST(AVG(load_ms) AS INT) AS avg_load_ms
FROM TABLE(TUMBLE(TABLE int_slow_pages, DESCRIPTOR(view_ts), INTERVAL '1' DAY))
GROUP BY window_start, window_end, page_url;
