-- Deduplicated orders, one row per order_id (latest CDC image wins).
CREATE TABLE IF NOT EXISTS src_orders (
  order_id        STRING NOT NULL,
  customer_id     STRING NOT NULL,
  order_status    STRING,
  currency_code   STRING,
  order_total     DECIMAL(12, 2),
  shipping_fee    DECIMAL(10, 2),
  sales_channel   STRING,
  order_ts        TIMESTAMP_LTZ(3) NOT NULL,
  updated_at      TIMESTAMP_LTZ(3),
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR order_ts AS order_ts - INTERVAL '10' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'key.avro-registry.schema-context' = '.flink-dev',
  'value.avro-registry.schema-context' = '.flink-dev',
  'kafka.retention.time' = '0',
  'kafka.producer.compression.type' = 'snappy',
  'scan.bounded.mode' = 'unbounded',
  'scan.startup.mode' = 'earliest-offset',
  'value.fields-include' = 'all'
);
