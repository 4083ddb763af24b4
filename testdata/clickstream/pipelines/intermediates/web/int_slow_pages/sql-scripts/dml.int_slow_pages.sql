-- Page views slower than two seconds.
INSERT INTO int_slow_pages
SELECT view_id, page_url, load_ms, view_ts
FROM src_page_views
WHERE load_ms > 2000;
