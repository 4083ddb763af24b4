-- Flink identifiers are case-sensitive: Orders, orders and ORDERS are three tables.
CREATE TABLE Orders (id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE orders (id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE `ORDERS` (id STRING, amount INT) WITH ('connector' = 'datagen');
CREATE TABLE Orders_Summary (id STRING, amount INT) WITH ('connector' = 'blackhole');

INSERT INTO Orders_Summary
SELECT id, amount FROM Orders
UNION ALL
SELECT id, amount FROM orders
UNION ALL
SELECT id, amount FROM ORDERS;

-- The CTE named orders does not hide the table Orders.
INSERT INTO Orders_Summary
WITH orders AS (SELECT id, amount FROM Orders WHERE amount > 0)
SELECT id, amount FROM orders
UNION ALL
SELECT id, amount FROM Orders WHERE amount <= 0;
