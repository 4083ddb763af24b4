-- Inside the CTE body the qualifier orders is the table (renamed);
-- after the CTE, orders.x refers to the CTE (kept).
INSERT INTO int_eu_orders_v2
WITH orders AS (
    SELECT orders_v2.order_id, orders_v2.amount, orders_v2.country
    FROM orders_v2
    WHERE orders_v2.country IN ('DE', 'FR', 'IT')
)
SELECT orders.order_id, orders.amount
FROM orders
WHERE orders.amount > 0;
