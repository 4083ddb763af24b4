-- v2 (release 2024.11): line_cost added; blue int_order_items was retired.
CREATE TABLE IF NOT EXISTS int_order_items_v2 (
  order_item_id    STRING NOT NULL,
  order_id         STRING NOT NULL,
  product_id       STRING NOT NULL,
  sku              STRING,
  product_name     STRING,
  category         STRING,
  quantity         INT,
  unit_price       DECIMAL(10, 2),
  discount_amount  DECIMAL(10, 2),
  line_amount      DECIMAL(12, 2),
  line_cost        DECIMAL(12, 2),
  added_at         TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_item_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_item_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
