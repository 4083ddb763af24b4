-- Pipeline: raw payments -> cleaned payments.
SET 'pipeline.name' = 'int_payments';

CREATE TABLE src_payments (
    payment_id STRING,
    order_id STRING,
    amount STRING,
    currency STRING,
    paid_at TIMESTAMP_LTZ(3),
    WATERMARK FOR paid_at AS paid_at - INTERVAL '10' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'payments',
    'properties.bootstrap.servers' = 'kafka:9092',
    'scan.startup.mode' = 'earliest-offset',
    'format' = 'json'
);

CREATE TABLE int_payments (
    payment_id STRING,
    order_id STRING,
    amount DECIMAL(10, 2),
    currency STRING,
    PRIMARY KEY (payment_id) NOT ENFORCED
) WITH (
    'connector' = 'upsert-kafka',
    'topic' = 'int_payments',
    'properties.bootstrap.servers' = 'kafka:9092',
    'key.format' = 'json',
    'value.format' = 'json'
);

INSERT INTO int_payments
SELECT payment_id, order_id, CAST(amount AS DECIMAL(10, 2)) AS amount, UPPER(currency) AS currency
FROM src_payments
WHERE payment_id IS NOT NULL;
