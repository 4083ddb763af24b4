-- Several CTEs; later ones read earlier ones.
INSERT INTO fct_customer_revenue_v2
WITH
    orders_clean AS (
        SELECT order_id, customer_id, amount
        FROM src_orders_v2
        WHERE amount > 0
    ),
    refunds_total AS (
        SELECT order_id, SUM(amount) AS refunded
        FROM src_refunds_v2
        GROUP BY order_id
    ),
    net_orders AS (
        SELECT oc.order_id, oc.customer_id,
               oc.amount - COALESCE(rt.refunded, 0) AS net_amount
        FROM orders_clean AS oc
        LEFT JOIN refunds_total AS rt ON oc.order_id = rt.order_id
    ),
    per_customer AS (
        SELECT customer_id, SUM(net_amount) AS revenue
        FROM net_orders
        GROUP BY customer_id
    )
SELECT pc.customer_id, c.segment, pc.revenue
FROM per_customer AS pc
JOIN dim_customers_v2 AS c ON pc.customer_id = c.customer_id;
