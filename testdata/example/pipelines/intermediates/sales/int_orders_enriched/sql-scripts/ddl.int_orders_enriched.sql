CREATE TABLE IF NOT EXISTS int_orders_enriched (
  order_id         STRING NOT NULL,
  customer_id      STRING NOT NULL,
  order_status     STRING,
  sales_channel    STRING,
  currency_code    STRING,
  order_total      DECIMAL(12, 2),
  shipping_fee     DECIMAL(10, 2),
  fx_rate_to_usd   DECIMAL(18, 8),
  order_total_usd  DECIMAL(12, 2),
  amount_paid      DECIMAL(12, 2),
  payment_methods  STRING,
  is_fully_paid    BOOLEAN,
  order_ts         TIMESTAMP_LTZ(3) NOT NULL,
  order_date       DATE,
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR order_ts AS order_ts - INTERVAL '5' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
