-- Orders: dedup the raw CDC topic, then keep the orders that count for sales.

CREATE TABLE IF NOT EXISTS src_orders (
  order_id      STRING NOT NULL,
  customer_id   STRING NOT NULL,
  product_id    STRING NOT NULL,
  quantity      INT,
  amount        DECIMAL(12, 2),
  order_status  STRING,
  order_ts      TIMESTAMP_LTZ(3) NOT NULL,
  PRIMARY KEY (order_id) NOT ENFORCED,
  WATERMARK FOR order_ts AS order_ts - INTERVAL '5' SECOND
) DISTRIBUTED BY HASH(order_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry'
);

INSERT INTO src_orders
SELECT order_id, customer_id, product_id, quantity, amount, order_status, order_ts
FROM (
  SELECT
    id AS order_id,
    customer_id,
    product_id,
    quantity,
    CAST(amount AS DECIMAL(12, 2)) AS amount,
    UPPER(status) AS order_status,
    TO_TIMESTAMP_LTZ(created_ms, 3) AS order_ts,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM raw_orders
)
WHERE rownum = 1;

CREATE TABLE IF NOT EXISTS int_orders (
  order_id      STRING NOT NULL,
  customer_id   STRING NOT NULL,
  product_id    STRING NOT NULL,
  quantity      INT,
  amount        DECIMAL(12, 2),
  order_status  STRING,
  order_ts      TIMESTAMP_LTZ(3) NOT NULL,
  PRIMARY KEY (order_id) NOT ENFORCED
) DISTRIBUTED BY HASH(order_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry'
);

-- Test and cancelled orders never reach reporting.
INSERT INTO int_orders
SELECT order_id, customer_id, product_id, quantity, amount, order_status, order_ts
FROM src_orders
WHERE order_status NOT IN ('CANCELLED', 'TEST')
  AND amount > 0;
