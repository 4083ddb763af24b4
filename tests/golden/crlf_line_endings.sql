-- Saved on Windows: CRLF line endings.
INSERT INTO int_returns
SELECT r.return_id, r.order_id, o.customer_id
FROM src_returns AS r
JOIN src_orders AS o ON r.order_id = o.order_id;
