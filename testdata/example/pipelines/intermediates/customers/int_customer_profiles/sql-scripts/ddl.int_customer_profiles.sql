CREATE TABLE IF NOT EXISTS int_customer_profiles (
  customer_id    STRING NOT NULL,
  email          STRING,
  full_name      STRING,
  loyalty_tier   STRING,
  city           STRING,
  postal_prefix  STRING,
  country_code   STRING,
  signup_ts      TIMESTAMP_LTZ(3),
  updated_at     TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
