INSERT INTO dim_customers
SELECT
  p.customer_id,
  p.email,
  p.full_name,
  p.loyalty_tier,
  p.city,
  p.country_code,
  COALESCE(s.order_count, 0) AS order_count,
  COALESCE(s.lifetime_value_usd, 0) AS lifetime_value_usd,
  s.first_order_ts,
  s.last_order_ts,
  CASE
    WHEN s.lifetime_value_usd >= 5000 THEN 'VIP'
    WHEN s.order_count >= 3 THEN 'REPEAT'
    WHEN s.order_count >= 1 THEN 'ONE_TIME'
    ELSE 'PROSPECT'
  END AS customer_segment,
  p.loyalty_tier IS DISTINCT FROM 'NONE' AS is_loyalty_member,
  p.signup_ts
FROM int_customer_profiles AS p
LEFT JOIN int_customer_order_stats AS s
  ON p.customer_id = s.customer_id;
