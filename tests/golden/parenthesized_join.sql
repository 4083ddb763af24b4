INSERT INTO int_order_items
SELECT o.order_id, l.sku, p.title, w.name
FROM (src_orders AS o JOIN src_order_lines AS l ON o.order_id = l.order_id)
LEFT JOIN dim_products AS p ON l.sku = p.sku
JOIN (src_stock AS st JOIN dim_warehouses AS w ON st.warehouse_id = w.warehouse_id)
    ON l.sku = st.sku;
