CREATE TABLE IF NOT EXISTS src_payments (
  payment_id      STRING NOT NULL,
  order_id        STRING NOT NULL,
  payment_method  STRING,
  payment_status  STRING,
  amount          DECIMAL(12, 2),
  currency_code   STRING,
  captured_at     TIMESTAMP_LTZ(3),
  PRIMARY KEY (payment_id) NOT ENFORCED
) DISTRIBUTED BY HASH(payment_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
