-- Versioned table (primary key + event time): used by temporal joins.
CREATE TABLE IF NOT EXISTS src_currency_rates (
  currency_code  STRING NOT NULL,
  rate_to_usd    DECIMAL(18, 8),
  valid_from     TIMESTAMP_LTZ(3) NOT NULL,
  PRIMARY KEY (currency_code) NOT ENFORCED,
  WATERMARK FOR valid_from AS valid_from - INTERVAL '1' MINUTE
) DISTRIBUTED BY HASH(currency_code) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
