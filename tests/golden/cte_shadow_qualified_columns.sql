-- Inside the CTE body the qualifier orders is the table (renamed);
-- after the CTE, orders.x refers to the CTE (kept).
INSERT INTO int_eu_orders
WITH orders AS (
    SELECT orders.order_id, orders.amount, orders.country
    FROM orders
    WHERE orders.country IN ('DE', 'FR', 'IT')
)
SELECT orders.order_id, orders.amount
FROM orders
WHERE orders.amount > 0;
