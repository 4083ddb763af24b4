INSERT INTO fct_big_orders
SELECT order_id, customer_id, amount, order_ts
FROM int_orders
WHERE amount > 0;
