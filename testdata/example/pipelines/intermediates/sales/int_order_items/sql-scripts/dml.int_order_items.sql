INSERT INTO int_order_items_v2
SELECT
  oi.order_item_id,
  oi.order_id,
  oi.product_id,
  p.sku,
  COALESCE(p.product_name, 'unknown (missing FROM product_catalog)') AS product_name,
  p.category,
  oi.quantity,
  oi.unit_price,
  oi.discount_amount,
  CAST(oi.quantity * oi.unit_price - oi.discount_amount AS DECIMAL(12, 2)) AS line_amount,
  CAST(oi.quantity * p.unit_cost AS DECIMAL(12, 2)) AS line_cost,
  oi.added_at
FROM src_order_items AS oi
LEFT JOIN src_products AS p
  ON oi.product_id = p.product_id
WHERE oi.quantity > 0;
