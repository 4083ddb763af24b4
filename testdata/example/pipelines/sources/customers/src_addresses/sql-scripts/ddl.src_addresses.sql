CREATE TABLE IF NOT EXISTS src_addresses (
  address_id    STRING NOT NULL,
  customer_id   STRING NOT NULL,
  address_type  STRING,
  line1         STRING,
  city          STRING,
  postal_code   STRING,
  country_code  STRING,
  is_default    BOOLEAN,
  updated_at    TIMESTAMP_LTZ(3),
  PRIMARY KEY (address_id) NOT ENFORCED
) DISTRIBUTED BY HASH(address_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
