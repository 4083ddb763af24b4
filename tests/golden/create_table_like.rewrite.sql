CREATE TABLE src_orders_v2 (
    order_id STRING,
    amount DECIMAL(10, 2),
    order_time TIMESTAMP(3),
    WATERMARK FOR order_time AS order_time - INTERVAL '5' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'orders',
    'properties.bootstrap.servers' = 'kafka:9092',
    'format' = 'json'
);

-- Same schema, written to files instead.
CREATE TABLE src_orders_archive_v2 (
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'filesystem',
    'path' = 's3://archive/orders',
    'format' = 'parquet'
) LIKE src_orders_v2 (EXCLUDING ALL INCLUDING GENERATED);

CREATE TEMPORARY TABLE src_orders_debug_v2 WITH (
    'connector' = 'print'
) LIKE src_orders_v2 (EXCLUDING OPTIONS);

CREATE TABLE src_orders_copy_v2 LIKE `ops`.`src_orders_template_v2`;
