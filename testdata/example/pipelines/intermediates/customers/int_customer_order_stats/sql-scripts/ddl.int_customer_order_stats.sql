CREATE TABLE IF NOT EXISTS int_customer_order_stats (
  customer_id          STRING NOT NULL,
  order_count          BIGINT,
  lifetime_value_usd   DECIMAL(14, 2),
  avg_order_value_usd  DECIMAL(12, 2),
  first_order_ts       TIMESTAMP_LTZ(3),
  last_order_ts        TIMESTAMP_LTZ(3),
  sales_channels       MULTISET<STRING>,
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
