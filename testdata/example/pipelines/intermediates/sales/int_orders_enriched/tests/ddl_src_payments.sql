-- Test double of src_payments (plain append table, no dedup).
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
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
