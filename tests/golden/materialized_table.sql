CREATE MATERIALIZED TABLE dws_daily_orders
(
    PRIMARY KEY (ds, customer_id) NOT ENFORCED
)
COMMENT 'Daily order totals per customer'
PARTITIONED BY (ds)
WITH (
    'format' = 'json',
    'partition.fields.ds.date-formatter' = 'yyyy-MM-dd'
)
FRESHNESS = INTERVAL '1' MINUTE
REFRESH_MODE = CONTINUOUS
AS SELECT
    DATE_FORMAT(o.order_time, 'yyyy-MM-dd') AS ds,
    o.customer_id,
    c.segment,
    SUM(o.amount) AS total_amount
FROM dwd_orders AS o
JOIN dim_customers AS c ON o.customer_id = c.customer_id
GROUP BY DATE_FORMAT(o.order_time, 'yyyy-MM-dd'), o.customer_id, c.segment;

CREATE MATERIALIZED TABLE dws_order_counts
FRESHNESS = INTERVAL '1' HOUR
AS SELECT ds, COUNT(*) AS order_count FROM dws_daily_orders GROUP BY ds;
