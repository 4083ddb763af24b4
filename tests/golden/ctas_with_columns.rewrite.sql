CREATE TABLE fct_customer_order_counts_v2 (
    customer_id STRING,
    order_count BIGINT,
    PRIMARY KEY (customer_id) NOT ENFORCED
)
DISTRIBUTED BY HASH(customer_id) INTO 4 BUCKETS
WITH (
    'changelog.mode' = 'upsert',
    'kafka.retention.time' = '7 d'
)
AS SELECT customer_id, COUNT(*) AS order_count
FROM int_paid_orders_v2
GROUP BY customer_id;

CREATE TABLE int_order_keys_v2 (PRIMARY KEY (order_id) NOT ENFORCED)
DISTRIBUTED BY HASH(order_id) INTO 6 BUCKETS
AS SELECT order_id, customer_id FROM src_orders_v2;
