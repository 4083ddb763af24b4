INSERT INTO fct_a
SELECT o.id
FROM src_orders o
JION src_customers c ON c.id = o.customer_id;
