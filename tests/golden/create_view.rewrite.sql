CREATE VIEW v_paid_orders_v2 AS
SELECT order_id, customer_id, amount
FROM src_orders_v2
WHERE status = 'PAID';

CREATE VIEW IF NOT EXISTS v_customer_totals_v2 (customer_id, total_amount, order_count) AS
SELECT customer_id, SUM(amount), COUNT(*)
FROM v_paid_orders_v2
GROUP BY customer_id;

CREATE TEMPORARY VIEW v_big_customers_v2 (customer_id) COMMENT 'customers above 10k' AS
SELECT customer_id FROM v_customer_totals_v2 WHERE total_amount > 10000;

CREATE VIEW v_recent_orders_v2 AS
WITH recent AS (
    SELECT order_id, customer_id FROM src_orders_v2 WHERE order_time > CURRENT_TIMESTAMP - INTERVAL '7' DAY
)
SELECT r.order_id, c.name
FROM recent AS r
JOIN dim_customers_v2 AS c ON r.customer_id = c.customer_id;
