INSERT INTO fct_orders
SELECT id,
  amount,
FROM src_orders;
