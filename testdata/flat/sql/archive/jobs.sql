-- Archive every order, cancelled and test ones included, hence src_orders
-- rather than int_orders.
INSERT INTO orders_archive
SELECT order_id, customer_id, product_id, quantity, amount, order_status, order_ts
FROM src_orders;
