CREATE TABLE int_paid_orders AS
SELECT order_id, customer_id, amount
FROM src_orders
WHERE status = 'PAID';

CREATE TABLE IF NOT EXISTS int_paid_orders_archive
WITH (
    'connector' = 'filesystem',
    'path' = 's3://archive/int_paid_orders',
    'format' = 'parquet'
)
AS SELECT p.order_id, p.amount, c.country
FROM int_paid_orders AS p
JOIN dim_customers AS c ON p.customer_id = c.customer_id;

-- WITH options followed by a query that itself starts with WITH.
CREATE TABLE int_repeat_customers WITH ('connector' = 'blackhole')
AS WITH counts AS (
    SELECT customer_id, COUNT(*) AS n FROM int_paid_orders GROUP BY customer_id
)
SELECT customer_id, n FROM counts WHERE n > 1;
