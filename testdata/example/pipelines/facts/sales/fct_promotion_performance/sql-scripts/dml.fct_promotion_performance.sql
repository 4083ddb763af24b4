INSERT INTO fct_promotion_performance
SELECT
  promo_code,
  COUNT(DISTINCT order_id) AS orders_with_promo,
  COUNT(*) AS lines_discounted,
  CAST(SUM(discount_amount) AS DECIMAL(14, 2)) AS total_discount,
  MIN(applied_at) AS first_used_at,
  MAX(applied_at) AS last_used_at
FROM int_promotion_usage
GROUP BY promo_code;
