INSERT INTO int_order_items_v2
SELECT o.order_id, l.sku, p.title, w.name
FROM (src_orders_v2 AS o JOIN src_order_lines_v2 AS l ON o.order_id = l.order_id)
LEFT JOIN dim_products_v2 AS p ON l.sku = p.sku
JOIN (src_stock_v2 AS st JOIN dim_warehouses_v2 AS w ON st.warehouse_id = w.warehouse_id)
    ON l.sku = st.sku;
