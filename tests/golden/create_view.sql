CREATE VIEW v_paid_orders AS
SELECT order_id, customer_id, amount
FROM src_orders
WHERE status = 'PAID';

CREATE VIEW IF NOT EXISTS v_customer_totals (customer_id, total_amount, order_count) AS
SELECT customer_id, SUM(amount), COUNT(*)
FROM v_paid_orders
GROUP BY customer_id;

CREATE TEMPORARY VIEW v_big_customers (customer_id) COMMENT 'customers above 10k' AS
SELECT customer_id FROM v_customer_totals WHERE total_amount > 10000;

CREATE VIEW v_recent_orders AS
WITH recent AS (
    SELECT order_id, customer_id FROM src_orders WHERE order_time > CURRENT_TIMESTAMP - INTERVAL '7' DAY
)
SELECT r.order_id, c.name
FROM recent AS r
JOIN dim_customers AS c ON r.customer_id = c.customer_id;
