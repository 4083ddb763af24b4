-- Two catalogs, each with an `orders` table; unqualified names resolve in
-- the current catalog and database, set by USE and SET in statement order.
USE CATALOG lake;
USE sales;
CREATE TABLE orders (id INT, amount INT) WITH ('connector' = 'iceberg');

SET 'sql.current-catalog' = 'kafka_cat';
SET 'sql.current-database' = 'sales';
CREATE TABLE orders (id INT, amount INT) WITH ('connector' = 'kafka');

-- Reads kafka_cat.sales.orders, writes lake.sales.orders: not a cycle.
INSERT INTO lake.sales.orders SELECT * FROM orders;

-- Three spellings of one table.
USE CATALOG lake;
USE sales;
INSERT INTO `kafka_cat`.sales.orders_copy
SELECT o.id FROM orders AS o
JOIN lake.sales.orders AS p ON p.id = o.id
JOIN sales.orders AS q ON q.id = o.id;

RESET;
INSERT INTO totals SELECT * FROM lake.sales.orders;
