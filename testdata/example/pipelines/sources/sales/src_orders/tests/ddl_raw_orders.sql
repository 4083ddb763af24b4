CREATE TABLE IF NOT EXISTS raw_orders (
  id               STRING,
  customer_ref     STRING,
  status           STRING,
  currency         STRING,
  total_amount     DOUBLE,
  shipping_amount  DOUBLE,
  channel          STRING,
  created_at_ms    BIGINT,
  updated_at_ms    BIGINT
) DISTRIBUTED BY HASH(id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'json-registry'
);
