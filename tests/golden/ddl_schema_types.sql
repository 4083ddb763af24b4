CREATE TABLE src_checkout_orders (
    `order_id` STRING NOT NULL,
    `customer_id` STRING,
    `price` DECIMAL(10, 2),
    `quantity` INT,
    `cost` AS price * quantity,
    `lines` ARRAY<ROW<sku STRING, qty INT>>,
    `shipping_address` ROW<street STRING, city STRING, zip STRING>,
    `attributes` MAP<STRING, ARRAY<STRING>>,
    `coupon_codes` MULTISET<STRING>,
    `order_time` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp',
    `partition_id` INT METADATA FROM 'partition' VIRTUAL,
    `offset` BIGINT METADATA VIRTUAL,
    `proc_time` AS PROCTIME(),
    WATERMARK FOR `order_time` AS `order_time` - INTERVAL '5' SECOND,
    PRIMARY KEY (`order_id`) NOT ENFORCED
)
COMMENT 'Orders from the checkout service; SELECT * FROM the raw topic'
DISTRIBUTED BY HASH(`order_id`) INTO 6 BUCKETS
WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'checkout.orders',
    'properties.bootstrap.servers' = 'kafka:9092',
    'key.format' = 'json',
    'value.format' = 'json'
);
