CREATE TABLE IF NOT EXISTS src_order_items (
  order_item_id    STRING NOT NULL,
  order_id         STRING NOT NULL,
  product_id       STRING NOT NULL,
  quantity         INT,
  unit_price       DECIMAL(10, 2),
  discount_amount  DECIMAL(10, 2),
  -- promotions applied to this line, as sent by the checkout service
  promotions       ARRAY<ROW<promo_code STRING, discount DECIMAL(10, 2)>>,
  added_at         TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_item_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_item_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
