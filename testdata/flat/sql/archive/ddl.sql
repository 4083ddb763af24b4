-- Long-term archive: same schema as int_orders, compacted topic kept for a year.
CREATE TABLE IF NOT EXISTS orders_archive
WITH (
  'kafka.retention.time' = '365 d',
  'kafka.cleanup-policy' = 'compact'
)
LIKE int_orders (EXCLUDING OPTIONS);
