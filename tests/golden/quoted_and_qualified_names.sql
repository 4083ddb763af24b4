CREATE TABLE `prod-catalog`.`sales`.`fct_orders` (
    `order_id` STRING,
    `amount` DECIMAL(10, 2),
    PRIMARY KEY (`order_id`) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'fct_orders',
    'properties.bootstrap.servers' = 'kafka:9092',
    'key.format' = 'json',
    'value.format' = 'json'
);

INSERT INTO `prod-catalog`.`sales`.`fct_orders`
SELECT o.`order_id`, o.`amount`
FROM `prod-catalog`.sales.`src_orders` AS o
JOIN default_catalog.default_database.ref_valid_orders AS v ON o.`order_id` = v.`order_id`
LEFT JOIN `sales`.src_flags AS f ON o.`order_id` = f.order_id
WHERE f.order_id IS NULL
  AND o.`amount` > 0
  AND o.customer_id IN (SELECT id FROM `customers`);
