INSERT INTO int_orders
SELECT order_id, customer_id, amount, UPPER(status) AS status, order_ts
FROM raw_orders
WHERE status <> 'draft';
