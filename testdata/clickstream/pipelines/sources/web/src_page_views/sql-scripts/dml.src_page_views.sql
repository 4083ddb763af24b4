INSERT INTO src_page_views
SELECT
  id AS view_id,
  LOWER(url) AS page_url,
  referrer,
  CAST(load_time AS INT) AS load_ms,
  TO_TIMESTAMP_LTZ(ts_ms, 3) AS view_ts
FROM raw_page_views
WHERE id IS NOT NULL;
