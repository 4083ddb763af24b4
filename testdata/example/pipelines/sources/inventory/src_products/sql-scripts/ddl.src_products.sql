CREATE TABLE IF NOT EXISTS src_products (
  product_id     STRING NOT NULL,
  sku            STRING,
  product_name   STRING,
  category       STRING,
  subcategory    STRING,
  brand          STRING,
  unit_cost      DECIMAL(10, 2),
  list_price     DECIMAL(10, 2),
  reorder_point  INT,
  is_active      BOOLEAN,
  updated_at     TIMESTAMP_LTZ(3),
  PRIMARY KEY (product_id) NOT ENFORCED
) DISTRIBUTED BY HASH(product_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'kafka.cleanup-policy' = 'compact',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
