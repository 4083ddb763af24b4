-- One row per (order line, promotion): explode the promotions array.
INSERT INTO int_promotion_usage
SELECT
  CONCAT(oi.order_item_id, '-', promo.promo_code) AS promotion_usage_id,
  oi.order_id,
  oi.order_item_id,
  oi.product_id,
  UPPER(TRIM(BOTH ' ' FROM promo.promo_code)) AS promo_code,
  promo.discount AS discount_amount,
  oi.added_at AS applied_at
FROM src_order_items AS oi
CROSS JOIN UNNEST(oi.promotions) AS promo (promo_code, discount)
WHERE promo.promo_code IS NOT NULL;
