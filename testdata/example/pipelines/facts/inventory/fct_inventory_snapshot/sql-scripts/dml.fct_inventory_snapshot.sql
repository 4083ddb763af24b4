INSERT INTO fct_inventory_snapshot
SELECT
  s.product_id,
  s.warehouse_id,
  p.sku,
  p.product_name,
  p.category,
  s.quantity_on_hand,
  p.reorder_point,
  s.quantity_on_hand <= p.reorder_point AS needs_reorder,
  CAST(s.quantity_on_hand * p.unit_cost AS DECIMAL(14, 2)) AS stock_value,
  s.last_movement_ts
FROM int_stock_levels AS s
JOIN dim_products AS p
  ON s.product_id = p.product_id
WHERE p.is_active;
