-- The lake's copy of the Kafka orders: same table name, other catalog.
USE CATALOG lake;
USE sales;

CREATE TABLE orders (
  order_id STRING,
  amount DECIMAL(10, 2),
  ts TIMESTAMP(3)
) WITH ('connector' = 'iceberg');

-- Not a cycle: lake.sales.orders reads kafka.sales.orders.
INSERT INTO orders SELECT * FROM kafka.sales.orders;

-- A table with the schema of the Kafka orders (a schema edge, no data).
CREATE TABLE orders_audit WITH ('connector' = 'iceberg')
LIKE kafka.sales.orders (EXCLUDING OPTIONS);

INSERT INTO orders_audit SELECT * FROM orders WHERE amount > 1000;
