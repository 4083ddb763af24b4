CREATE TABLE customers (customer_id STRING, name STRING) WITH ('connector' = 'datagen');
CREATE TABLE orders (order_id STRING, customer_id STRING, amount INT) WITH ('connector' = 'datagen');

-- customers here is an alias of the payments table, not the customers table.
INSERT INTO int_payment_summary
SELECT customers.customer_id, SUM(customers.amount) AS paid
FROM src_payments AS customers
GROUP BY customers.customer_id;

-- A table aliased with its own name: the qualifier is the alias and stays.
INSERT INTO int_order_amounts
SELECT orders.order_id, orders.amount
FROM orders AS orders;

-- A derived table aliased with a table name.
INSERT INTO int_customer_names
SELECT orders.customer_id, c.name
FROM (SELECT DISTINCT customer_id FROM src_payments) AS orders
JOIN customers AS c ON orders.customer_id = c.customer_id;
