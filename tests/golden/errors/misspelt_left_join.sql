INSERT INTO fct_a
SELECT o.id, c.name
FROM src_orders AS o
LEFT JION src_customers AS c ON c.id = o.customer_id;
