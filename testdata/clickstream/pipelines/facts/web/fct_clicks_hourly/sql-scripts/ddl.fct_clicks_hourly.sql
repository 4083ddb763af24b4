CREATE TABLE IF NOT EXISTS fct_clicks_hourly (
  window_start  TIMESTAMP(3) NOT NULL,
  window_end    TIMESTAMP(3) NOT NULL,
  country       STRING,
  clicks        BIGINT,
  users         BIGINT
) DISTRIBUTED BY HASH(window_start) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
