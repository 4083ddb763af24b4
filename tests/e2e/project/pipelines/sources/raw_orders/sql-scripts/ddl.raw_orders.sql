-- Orders as the shop exports them: CSV files dropped in a folder.
CREATE TABLE raw_orders (
  order_id     STRING NOT NULL,
  customer_id  STRING,
  amount       DOUBLE,
  status       STRING,
  order_ts     TIMESTAMP(3)
) WITH (
  'connector' = 'filesystem',
  'path' = 'file://@DATA@/raw_orders',
  'format' = 'csv',
  'source.monitor-interval' = '1s'
);
