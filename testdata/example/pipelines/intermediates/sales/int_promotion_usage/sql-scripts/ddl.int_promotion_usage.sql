CREATE TABLE IF NOT EXISTS int_promotion_usage (
  promotion_usage_id  STRING NOT NULL,
  order_id            STRING,
  order_item_id       STRING,
  product_id          STRING,
  promo_code          STRING,
  discount_amount     DECIMAL(10, 2),
  applied_at          TIMESTAMP_LTZ(3),
  PRIMARY KEY (promotion_usage_id) NOT ENFORCED
) DISTRIBUTED BY HASH(promotion_usage_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
