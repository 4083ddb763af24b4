-- Unbounded GROUP BY: keep per-customer state for a week of inactivity.
SET 'sql.state-ttl' = '7 d';

INSERT INTO int_customer_order_stats
SELECT
  customer_id,
  COUNT(DISTINCT order_id) AS order_count,
  CAST(SUM(order_total_usd) AS DECIMAL(14, 2)) AS lifetime_value_usd,
  CAST(AVG(order_total_usd) AS DECIMAL(12, 2)) AS avg_order_value_usd,
  MIN(order_ts) AS first_order_ts,
  MAX(order_ts) AS last_order_ts,
  COLLECT(sales_channel) AS sales_channels
FROM int_orders_enriched
WHERE order_status NOT IN ('CANCELLED', 'REFUNDED')
GROUP BY customer_id;
