INSERT INTO int_refunded_orders_v2
SELECT o.order_id, o.amount
FROM src_orders_v2 AS o
WHERE EXISTS (
        SELECT 1
        FROM src_refunds_v2 AS r
        WHERE r.order_id = o.order_id
    )
  AND NOT EXISTS (
        SELECT 1 FROM src_chargebacks_v2 AS cb WHERE cb.order_id = o.order_id
    );
