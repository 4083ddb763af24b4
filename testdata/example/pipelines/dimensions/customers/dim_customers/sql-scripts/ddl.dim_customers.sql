CREATE TABLE IF NOT EXISTS dim_customers (
  customer_id         STRING NOT NULL,
  email               STRING,
  full_name           STRING,
  loyalty_tier        STRING,
  city                STRING,
  country_code        STRING,
  order_count         BIGINT,
  lifetime_value_usd  DECIMAL(14, 2),
  first_order_ts      TIMESTAMP_LTZ(3),
  last_order_ts       TIMESTAMP_LTZ(3),
  customer_segment    STRING,
  is_loyalty_member   BOOLEAN,
  signup_ts           TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'kafka.cleanup-policy' = 'compact',
  'value.fields-include' = 'all'
);
