CREATE TABLE IF NOT EXISTS fct_orders (
  order_id          STRING NOT NULL,
  customer_id       STRING NOT NULL,
  customer_segment  STRING,
  country_code      STRING,
  sales_channel     STRING,
  order_status      STRING,
  order_total_usd   DECIMAL(12, 2),
  amount_paid       DECIMAL(12, 2),
  is_fully_paid     BOOLEAN,
  order_date        DATE,
  order_year        BIGINT,
  order_month       BIGINT,
  order_ts          TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
