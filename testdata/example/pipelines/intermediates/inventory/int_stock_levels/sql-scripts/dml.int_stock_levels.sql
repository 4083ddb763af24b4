-- Stock on hand = inbound movements (receipts, returns, adjustments)
-- minus units sold. Every web order ships from the central warehouse.
INSERT INTO int_stock_levels
WITH inbound AS (
  SELECT
    product_id,
    warehouse_id,
    CAST(quantity AS BIGINT) AS received_delta,
    CAST(0 AS BIGINT) AS ordered_delta,
    movement_ts AS event_ts
  FROM src_stock_movements
),
outbound AS (
  SELECT
    product_id,
    CAST('WH-CENTRAL' AS STRING) AS warehouse_id,
    CAST(0 AS BIGINT) AS received_delta,
    CAST(quantity AS BIGINT) AS ordered_delta,
    added_at AS event_ts
  FROM int_order_items_v2
)
SELECT
  product_id,
  warehouse_id,
  SUM(received_delta) AS quantity_received,
  SUM(ordered_delta) AS quantity_ordered,
  SUM(received_delta) - SUM(ordered_delta) AS quantity_on_hand,
  MAX(event_ts) AS last_movement_ts
FROM (
  SELECT * FROM inbound
  UNION ALL
  SELECT * FROM outbound
)
GROUP BY product_id, warehouse_id;
