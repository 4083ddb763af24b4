-- shift_left writes materialized tables as a DDL with no query; the DML
-- lives in another file, or nowhere.
CREATE MATERIALIZED TABLE fct_order_totals (
    order_id STRING,
    total DECIMAL(12, 2),
    PRIMARY KEY (order_id) NOT ENFORCED
) COMMENT 'totals per order'
DISTRIBUTED BY HASH(order_id) INTO 4 BUCKETS
WITH (
    'changelog.mode' = 'upsert'
);

CREATE MATERIALIZED TABLE IF NOT EXISTS dim_minimal
FRESHNESS = INTERVAL '1' MINUTE;

INSERT INTO fct_order_totals
SELECT order_id, SUM(amount) AS total FROM src_order_lines GROUP BY order_id;
