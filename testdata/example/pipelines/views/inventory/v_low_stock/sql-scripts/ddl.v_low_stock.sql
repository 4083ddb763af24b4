CREATE VIEW v_low_stock
COMMENT 'Products at or below their reorder point, per warehouse (read FROM the snapshot)'
AS
SELECT
  s.product_id,
  s.warehouse_id,
  s.sku,
  s.product_name,
  p.brand,
  s.quantity_on_hand,
  s.reorder_point,
  s.reorder_point - s.quantity_on_hand AS shortfall
FROM fct_inventory_snapshot s, dim_products p
WHERE s.product_id = p.product_id
  AND s.needs_reorder;
