INSERT INTO src_products
SELECT
  id AS product_id,
  UPPER(sku) AS sku,
  product_name,
  category,
  subcategory,
  brand,
  unit_cost,
  list_price,
  COALESCE(reorder_point, 10) AS reorder_point,
  status = 'ACTIVE' AS is_active,
  TO_TIMESTAMP_LTZ(updated_at_ms, 3) AS updated_at
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM raw_products
)
WHERE rownum = 1;
