CREATE TABLE IF NOT EXISTS src_page_views (
  view_id      STRING NOT NULL,
  page_url     STRING,
  referrer     STRING,
  load_ms      INT,
  view_ts      TIMESTAMP_LTZ(3) NOT NULL,
  WATERMARK FOR view_ts AS view_ts - INTERVAL '5' SECOND
) DISTRIBUTED BY HASH(view_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry',
  'scan.startup.mode' = 'earliest-offset'
);
