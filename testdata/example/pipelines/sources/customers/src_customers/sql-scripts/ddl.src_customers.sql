CREATE TABLE IF NOT EXISTS src_customers (
  customer_id      STRING NOT NULL,
  email            STRING,
  first_name       STRING,
  last_name        STRING,
  phone            STRING,
  loyalty_tier     STRING,
  is_test_account  BOOLEAN,
  signup_ts        TIMESTAMP_LTZ(3),
  updated_at       TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'kafka.cleanup-policy' = 'compact',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
