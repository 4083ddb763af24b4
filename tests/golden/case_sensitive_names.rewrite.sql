-- Flink identifiers are case-sensitive: Orders, orders and ORDERS are three tables.
CREATE TABLE Orders_v2 (id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE orders_v2 (id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE `ORDERS_v2` (id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE Orders_Summary_v2 (id STRING, amount INT) WITH ('connector' = 'blackhole');

INSERT INTO Orders_Summary_v2
SELECT id, amount FROM Orders_v2
UNION ALL
SELECT id, amount FROM orders_v2
UNION ALL
SELECT id, amount FROM ORDERS_v2;

-- The CTE named orders does not hide the table Orders.
INSERT INTO Orders_Summary_v2
WITH orders AS (SELECT id, amount FROM Orders_v2 WHERE amount > 0)
SELECT id, amount FROM orders
UNION ALL
SELECT id, amount FROM Orders_v2 WHERE amount <= 0;
