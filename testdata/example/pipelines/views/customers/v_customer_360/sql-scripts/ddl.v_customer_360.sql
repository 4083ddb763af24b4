-- Customer 360 for the support console: profile, segment and last order.
CREATE VIEW IF NOT EXISTS v_customer_360 AS
SELECT
  c.customer_id,
  c.full_name,
  c.email,
  c.customer_segment,
  c.lifetime_value_usd,
  recent.last_order_id,
  recent.last_order_total_usd,
  recent.last_order_ts
FROM dim_customers AS c
LEFT JOIN (
  SELECT
    customer_id,
    order_id AS last_order_id,
    order_total_usd AS last_order_total_usd,
    order_ts AS last_order_ts
  FROM (
    SELECT
      customer_id,
      order_id,
      order_total_usd,
      order_ts,
      ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY order_ts DESC) AS rownum
    FROM fct_orders
  )
  WHERE rownum = 1
) AS recent
  ON c.customer_id = recent.customer_id;
