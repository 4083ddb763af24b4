CREATE TABLE fct_big_orders (
  order_id     STRING NOT NULL,
  customer_id  STRING,
  amount       DOUBLE,
  order_ts     TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
  'connector' = 'filesystem',
  'path' = 'file://@DATA@/fct_big_orders',
  'format' = 'json',
  'sink.rolling-policy.rollover-interval' = '2s',
  'sink.rolling-policy.check-interval' = '1s'
);
