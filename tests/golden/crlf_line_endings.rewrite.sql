-- Saved on Windows: CRLF line endings.
INSERT INTO int_returns_v2
SELECT r.return_id, r.order_id, o.customer_id
FROM src_returns_v2 AS r
JOIN src_orders_v2 AS o ON r.order_id = o.order_id;
