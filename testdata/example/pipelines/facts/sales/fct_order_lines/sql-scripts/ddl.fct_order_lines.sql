CREATE TABLE IF NOT EXISTS fct_order_lines (
  order_item_id  STRING NOT NULL,
  order_id       STRING NOT NULL,
  product_id     STRING,
  sku            STRING,
  product_name   STRING,
  category       STRING,
  brand          STRING,
  quantity       INT,
  line_amount    DECIMAL(12, 2),
  line_cost      DECIMAL(12, 2),
  gross_margin   DECIMAL(12, 2),
  added_at       TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_item_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_item_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
