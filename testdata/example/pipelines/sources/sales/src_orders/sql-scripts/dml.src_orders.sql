-- The order service publishes every row change of its orders table to the
-- raw_orders topic; keep only the latest image of each order.
INSERT INTO src_orders
SELECT
  id AS order_id,
  customer_ref AS customer_id,
  UPPER(status) AS order_status,
  COALESCE(currency, 'USD') AS currency_code,
  CAST(total_amount AS DECIMAL(12, 2)) AS order_total,
  CAST(COALESCE(shipping_amount, 0) AS DECIMAL(10, 2)) AS shipping_fee,
  LOWER(channel) AS sales_channel,
  TO_TIMESTAMP_LTZ(created_at_ms, 3) AS order_ts,
  TO_TIMESTAMP_LTZ(updated_at_ms, 3) AS updated_at
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY id
      ORDER BY $rowtime DESC
    ) AS rownum
  FROM raw_orders
  WHERE id IS NOT NULL
    AND customer_ref IS NOT NULL
)
WHERE rownum = 1;
