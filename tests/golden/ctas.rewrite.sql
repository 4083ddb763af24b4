CREATE TABLE int_paid_orders_v2 AS
SELECT order_id, customer_id, amount
FROM src_orders_v2
WHERE status = 'PAID';

CREATE TABLE IF NOT EXISTS int_paid_orders_archive_v2
WITH (
    'connector' = 'filesystem',
    'path' = 's3://archive/int_paid_orders',
    'format' = 'parquet'
)
AS SELECT p.order_id, p.amount, c.country
FROM int_paid_orders_v2 AS p
JOIN dim_customers_v2 AS c ON p.customer_id = c.customer_id;

-- WITH options followed by a query that itself starts with WITH.
CREATE TABLE int_repeat_customers_v2 WITH ('connector' = 'blackhole')
AS WITH counts AS (
    SELECT customer_id, COUNT(*) AS n FROM int_paid_orders_v2 GROUP BY customer_id
)
SELECT customer_id, n FROM counts WHERE n > 1;
