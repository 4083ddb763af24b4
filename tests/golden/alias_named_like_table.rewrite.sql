CREATE TABLE customers_v2 (customer_id STRING, name STRING) WITH ('connector' = 'datagen');
CREATE TABLE orders_v2 (order_id STRING, customer_id STRING, amount INT) WITH ('connector' = 'datagen');

-- customers here is an alias of the payments table, not the customers table.
INSERT INTO int_payment_summary_v2
SELECT customers.customer_id, SUM(customers.amount) AS paid
FROM src_payments_v2 AS customers
GROUP BY customers.customer_id;

-- A table aliased with its own name: the qualifier is the alias and stays.
INSERT INTO int_order_amounts_v2
SELECT orders.order_id, orders.amount
FROM orders_v2 AS orders;

-- A derived table aliased with a table name.
INSERT INTO int_customer_names_v2
SELECT orders.customer_id, c.name
FROM (SELECT DISTINCT customer_id FROM src_payments_v2) AS orders
JOIN customers_v2 AS c ON orders.customer_id = c.customer_id;
