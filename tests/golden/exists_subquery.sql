INSERT INTO int_refunded_orders
SELECT o.order_id, o.amount
FROM src_orders AS o
WHERE EXISTS (
        SELECT 1
        FROM src_refunds AS r
        WHERE r.order_id = o.order_id
    )
  AND NOT EXISTS (
        SELECT 1 FROM src_chargebacks AS cb WHERE cb.order_id = o.order_id
    );
