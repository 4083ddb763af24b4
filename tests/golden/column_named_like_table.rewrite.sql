-- Columns named like tables are columns, not tables.
CREATE TABLE orders_v2 (order_id STRING, customers INT) WITH ('connector' = 'datagen');
CREATE TABLE customers_v2 (customer_id STRING, orders INT) WITH ('connector' = 'datagen');

INSERT INTO int_customer_orders_v2
SELECT c.customer_id, c.orders, o.customers AS customer_count
FROM customers_v2 AS c
JOIN orders_v2 AS o ON c.customer_id = o.order_id;

INSERT INTO int_order_counts_v2 (customer_id, orders)
SELECT customer_id, orders FROM customers_v2;
