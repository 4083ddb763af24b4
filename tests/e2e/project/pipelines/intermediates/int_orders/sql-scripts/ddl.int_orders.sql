CREATE TABLE int_orders (
  order_id     STRING NOT NULL,
  customer_id  STRING,
  amount       DOUBLE,
  status       STRING,
  order_ts     TIMESTAMP(3),
  PRIMARY KEY (order_id) NOT ENFORCED
) WITH (
  'connector' = 'filesystem',
  'path' = 'file://@DATA@/int_orders',
  'format' = 'json',
  'source.monitor-interval' = '1s',
  'sink.rolling-policy.rollover-interval' = '2s',
  'sink.rolling-policy.check-interval' = '1s'
);
