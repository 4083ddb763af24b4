-- Columns named like tables are columns, not tables.
CREATE TABLE orders (order_id STRING, customers INT) WITH ('connector' = 'datagen');
CREATE TABLE customers (customer_id STRING, orders INT) WITH ('connector' = 'datagen');

INSERT INTO int_customer_orders
SELECT c.customer_id, c.orders, o.customers AS customer_count
FROM customers AS c
JOIN orders AS o ON c.customer_id = o.order_id;

INSERT INTO int_order_counts (customer_id, orders)
SELECT customer_id, orders FROM customers;
