-- The CTE named orders reads the real table orders in its own body,
-- then hides it for the rest of the statement. Same for customers.
INSERT INTO int_big_orders
WITH orders AS (
    SELECT order_id, customer_id, amount
    FROM orders
    WHERE amount >= 1000
),
customers AS (
    SELECT customer_id, name FROM customers
)
SELECT orders.order_id, customers.name, orders.amount
FROM orders
JOIN customers ON orders.customer_id = customers.customer_id;

-- A later statement: here orders is the table again.
INSERT INTO int_small_orders
SELECT order_id, customer_id, amount
FROM orders
WHERE amount < 1000;
