SELECT
  CASE WHEN COUNT(*) > 0 AND MIN(quantity_on_hand) = 100 THEN 'PASS' ELSE 'FAIL' END AS test_result
FROM fct_inventory_snapshot
WHERE warehouse_id = 'WH-TEST';
