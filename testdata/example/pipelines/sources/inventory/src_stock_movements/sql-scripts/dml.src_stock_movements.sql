-- The WMS topic lives in another Confluent environment/cluster:
-- environment.cluster.topic, with backquotes because of the dashes.
INSERT INTO src_stock_movements
SELECT
  id AS movement_id,
  sku_id AS product_id,
  warehouse AS warehouse_id,
  UPPER(kind) AS movement_type,
  qty AS quantity,
  TO_TIMESTAMP_LTZ(event_time_ms, 3) AS movement_ts
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM `prod-env`.`wms-cluster`.raw_stock_movements
  WHERE kind IN ('RECEIPT', 'RETURN', 'ADJUSTMENT')
)
WHERE rownum = 1;
