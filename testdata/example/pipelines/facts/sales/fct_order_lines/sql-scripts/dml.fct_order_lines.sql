-- Lines of orders that were actually paid or shipped.
INSERT INTO fct_order_lines (
  order_item_id, order_id, product_id, sku, product_name, category, brand,
  quantity, line_amount, line_cost, gross_margin, added_at
)
SELECT
  li.order_item_id,
  li.order_id,
  li.product_id,
  li.sku,
  li.product_name,
  d.category,
  d.brand,
  li.quantity,
  li.line_amount,
  li.line_cost,
  li.line_amount - li.line_cost AS gross_margin,
  li.added_at
FROM int_order_items_v2 AS li
LEFT JOIN dim_products AS d
  ON li.product_id = d.product_id
WHERE li.order_id IN (
  SELECT order_id
  FROM int_orders_enriched
  WHERE order_status IN ('PAID', 'SHIPPED', 'DELIVERED')
);
