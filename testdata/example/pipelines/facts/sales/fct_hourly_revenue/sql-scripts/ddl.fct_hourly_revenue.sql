CREATE TABLE IF NOT EXISTS fct_hourly_revenue (
  window_start      TIMESTAMP(3) NOT NULL,
  window_end        TIMESTAMP(3) NOT NULL,
  sales_channel     STRING NOT NULL,
  order_count       BIGINT,
  revenue_usd       DECIMAL(14, 2),
  unique_customers  BIGINT,
  PRIMARY KEY (window_start, sales_channel) NOT ENFORCED
) DISTRIBUTED BY HASH(window_start, sales_channel) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
