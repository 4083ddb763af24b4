-- Orders with their USD amount (rate valid at order time) and what was paid.
INSERT INTO int_orders_enriched
WITH src_payments AS (
  -- One row per order. This CTE keeps the name of the table it summarises
  -- (older queries joined src_payments directly); inside its own body the
  -- name still means the real src_payments table.
  SELECT
    order_id,
    CAST(SUM(amount) AS DECIMAL(12, 2)) AS amount_paid,
    LISTAGG(DISTINCT payment_method) AS payment_methods
  FROM src_payments
  WHERE payment_status = 'CAPTURED'
  GROUP BY order_id
)
SELECT
  o.order_id,
  o.customer_id,
  o.order_status,
  o.sales_channel,
  o.currency_code,
  o.order_total,
  o.shipping_fee,
  r.rate_to_usd AS fx_rate_to_usd,
  CAST(o.order_total * COALESCE(r.rate_to_usd, 1) AS DECIMAL(12, 2)) AS order_total_usd,
  COALESCE(p.amount_paid, 0) AS amount_paid,
  p.payment_methods,
  COALESCE(p.amount_paid, 0) >= o.order_total AS is_fully_paid,
  o.order_ts,
  CAST(o.order_ts AS DATE) AS order_date
FROM src_orders AS o
LEFT JOIN src_currency_rates FOR SYSTEM_TIME AS OF o.order_ts AS r
  ON o.currency_code = r.currency_code
LEFT JOIN src_payments AS p
  ON o.order_id = p.order_id
WHERE o.order_status <> 'DRAFT';
