CREATE TABLE IF NOT EXISTS fct_inventory_snapshot (
  product_id        STRING NOT NULL,
  warehouse_id      STRING NOT NULL,
  sku               STRING,
  product_name      STRING,
  category          STRING,
  quantity_on_hand  BIGINT,
  reorder_point     INT,
  needs_reorder     BOOLEAN,
  stock_value       DECIMAL(14, 2),
  last_movement_ts  TIMESTAMP_LTZ(3),
  PRIMARY KEY (product_id, warehouse_id) NOT ENFORCED
) DISTRIBUTED BY HASH(product_id, warehouse_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
