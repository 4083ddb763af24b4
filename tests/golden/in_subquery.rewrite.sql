INSERT INTO int_vip_orders_v2
SELECT order_id, customer_id, amount
FROM src_orders_v2
WHERE customer_id IN (
        SELECT customer_id
        FROM dim_customers_v2
        WHERE tier = 'VIP'
          AND region_id IN (SELECT region_id FROM ref_regions_v2 WHERE active = TRUE)
    )
  AND product_id NOT IN (SELECT product_id FROM ref_blocked_products_v2);
