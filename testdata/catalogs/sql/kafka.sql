-- The Kafka catalog's orders, filled from the raw topic.
SET 'sql.current-catalog' = 'kafka';
SET 'sql.current-database' = 'sales';

CREATE TABLE orders (
  order_id STRING,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3),
  WATERMARK FOR ts AS ts - INTERVAL '5' SECOND
) WITH ('connector' = 'kafka', 'topic' = 'orders');

INSERT INTO orders SELECT order_id, amount, ts FROM raw_orders;
