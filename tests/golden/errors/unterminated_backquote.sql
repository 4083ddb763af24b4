INSERT INTO int_orders
SELECT id
FROM `src_orders AS o;
