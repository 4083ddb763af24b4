CREATE MATERIALIZED TABLE dws_daily_orders_v2
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
FROM dwd_orders_v2 AS o
JOIN dim_customers_v2 AS c ON o.customer_id = c.customer_id
GROUP BY DATE_FORMAT(o.order_time, 'yyyy-MM-dd'), o.customer_id, c.segment;

CREATE MATERIALIZED TABLE dws_order_counts_v2
FRESHNESS = INTERVAL '1' HOUR
AS SELECT ds, COUNT(*) AS order_count FROM dws_daily_orders_v2 GROUP BY ds;
