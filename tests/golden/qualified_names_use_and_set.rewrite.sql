-- Two catalogs, each with an `orders` table; unqualified names resolve in
-- the current catalog and database, set by USE and SET in statement order.
USE CATALOG lake;
USE sales;
CREATE TABLE orders_v2 (id INT, amount INT) WITH ('connector' = 'iceberg');

SET 'sql.current-catalog' = 'kafka_cat';
SET 'sql.current-database' = 'sales';
CREATE TABLE orders_v2 (id INT, amount INT) WITH ('connector' = 'kafka');

-- Reads kafka_cat.sales.orders, writes lake.sales.orders: not a cycle.
INSERT INTO lake.sales.orders_v2 SELECT * FROM orders_v2;

-- Three spellings of one table.
USE CATALOG lake;
USE sales;
INSERT INTO `kafka_cat`.sales.orders_copy_v2
SELECT o.id FROM orders_v2 AS o
JOIN lake.sales.orders_v2 AS p ON p.id = o.id
JOIN sales.orders_v2 AS q ON q.id = o.id;

RESET;
INSERT INTO totals_v2 SELECT * FROM lake.sales.orders_v2;
