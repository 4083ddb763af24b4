CREATE TABLE IF NOT EXISTS int_stock_levels (
  product_id          STRING NOT NULL,
  warehouse_id        STRING NOT NULL,
  quantity_received   BIGINT,
  quantity_ordered    BIGINT,
  quantity_on_hand    BIGINT,
  last_movement_ts    TIMESTAMP_LTZ(3),
  PRIMARY KEY (product_id, warehouse_id) NOT ENFORCED
) DISTRIBUTED BY HASH(product_id, warehouse_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
