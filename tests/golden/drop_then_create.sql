DROP TABLE IF EXISTS int_order_totals;

CREATE TABLE int_order_totals (
    order_id STRING,
    total DECIMAL(12, 2),
    PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'int_order_totals',
    'properties.bootstrap.servers' = 'kafka:9092',
    'key.format' = 'json',
    'value.format' = 'json'
);

DROP VIEW IF EXISTS v_order_totals;

CREATE VIEW v_order_totals AS SELECT order_id, total FROM int_order_totals;

DROP TEMPORARY TABLE IF EXISTS `tmp`.`scratch_orders`;

DROP TABLE legacy_orders;
