-- Hourly revenue per channel (tumbling event-time windows on order_ts).
INSERT INTO fct_hourly_revenue
SELECT
  window_start,
  window_end,
  sales_channel,
  COUNT(*) AS order_count,
  CAST(SUM(order_total_usd) AS DECIMAL(14, 2)) AS revenue_usd,
  COUNT(DISTINCT customer_id) AS unique_customers
FROM TABLE(
  TUMBLE(TABLE int_orders_enriched, DESCRIPTOR(order_ts), INTERVAL '1' HOUR)
)
WHERE order_status <> 'CANCELLED'
GROUP BY window_start, window_end, sales_channel;
