INSERT INTO dim_products
SELECT
  product_id,
  sku,
  product_name,
  COALESCE(category, 'Uncategorized') AS category,
  COALESCE(subcategory, category, 'Uncategorized') AS subcategory,
  COALESCE(brand, 'no brand FROM supplier_feed') AS brand,
  unit_cost,
  list_price,
  CAST((list_price - unit_cost) / NULLIF(list_price, 0) AS DECIMAL(5, 4)) AS margin_pct,
  reorder_point,
  is_active,
  updated_at
FROM src_products
WHERE sku IS NOT NULL;
