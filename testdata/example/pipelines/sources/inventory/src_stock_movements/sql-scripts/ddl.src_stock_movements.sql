-- Warehouse stock movements: receipts, customer returns and inventory-count
-- adjustments. Outbound shipments are not in this topic (see int_stock_levels).
CREATE TABLE IF NOT EXISTS src_stock_movements (
  movement_id    STRING NOT NULL,
  product_id     STRING NOT NULL,
  warehouse_id   STRING NOT NULL,
  movement_type  STRING,
  quantity       INT,
  movement_ts    TIMESTAMP_LTZ(3) NOT NULL,
  PRIMARY KEY (movement_id) NOT ENFORCED,
  WATERMARK FOR movement_ts AS movement_ts - INTERVAL '30' SECOND
) DISTRIBUTED BY HASH(movement_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
