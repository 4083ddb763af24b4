-- Seed: 100 units of every catalog product in the test warehouse.
INSERT INTO int_stock_levels
SELECT
  product_id,
  'WH-TEST',
  CAST(100 AS BIGINT),
  CAST(0 AS BIGINT),
  CAST(100 AS BIGINT),
  updated_at
FROM dim_products;
