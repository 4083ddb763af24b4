-- Orders enriched with the time of their last successful payment.
INSERT INTO int_order_payments
WITH paid AS (
    SELECT order_id, MAX(paid_at) AS last_paid_at
    FROM src_payments
    WHERE status = 'PAID'
    GROUP BY order_id
)
SELECT o.order_id, o.customer_id, p.last_paid_at
FROM src_orders AS o
LEFT JOIN paid AS p ON o.order_id = p.order_id;
