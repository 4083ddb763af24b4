CREATE TABLE IF NOT EXISTS fct_slow_pages_daily (
  window_start  TIMESTAMP(3) NOT NULL,
  window_end    TIMESTAMP(3) NOT NULL,
  page_url      STRING,
  slow_views    BIGINT,
  avg_load_ms   INT
) DISTRIBUTED BY HASH(window_start) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
