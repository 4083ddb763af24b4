INSERT INTO fct_a
SELECT o.id
FROM src_orders AS o
JOIN src_customers AS c ON c.id = o.customer_id
JION src_regions AS r ON r.id = c.region_id;
