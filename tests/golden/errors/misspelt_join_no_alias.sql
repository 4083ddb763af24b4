INSERT INTO fct_a
SELECT *
FROM src_orders
JION src_customers ON TRUE;
