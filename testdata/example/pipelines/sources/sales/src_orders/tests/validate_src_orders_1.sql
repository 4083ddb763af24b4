SELECT
  CASE WHEN COUNT(*) = 2 AND SUM(CASE WHEN order_status = 'PAID' THEN 1 ELSE 0 END) = 2
       THEN 'PASS' ELSE 'FAIL' END AS test_result
FROM src_orders
WHERE order_id IN ('O-1', 'O-2');
