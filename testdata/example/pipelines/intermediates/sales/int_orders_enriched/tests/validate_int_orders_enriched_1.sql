WITH expected AS (
  SELECT * FROM (VALUES ('O-1', CAST(129.60 AS DECIMAL(12, 2)))) AS t (order_id, order_total_usd)
)
SELECT
  CASE WHEN COUNT(*) = 1 THEN 'PASS' ELSE 'FAIL' END AS test_result
FROM int_orders_enriched AS a
JOIN expected AS e
  ON a.order_id = e.order_id
 AND a.order_total_usd = e.order_total_usd
 AND a.is_fully_paid;
