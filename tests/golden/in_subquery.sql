INSERT INTO int_vip_orders
SELECT order_id, customer_id, amount
FROM src_orders
WHERE customer_id IN (
        SELECT customer_id
        FROM dim_customers
        WHERE tier = 'VIP'
          AND region_id IN (SELECT region_id FROM ref_regions WHERE active = TRUE)
    )
  AND product_id NOT IN (SELECT product_id FROM ref_blocked_products);
