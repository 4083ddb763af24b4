-- Order fact for BI. Orders with a chargeback are excluded entirely.
INSERT INTO fct_orders
SELECT
  o.order_id,
  o.customer_id,
  c.customer_segment,
  c.country_code,
  o.sales_channel,
  o.order_status,
  o.order_total_usd,
  o.amount_paid,
  o.is_fully_paid,
  o.order_date,
  EXTRACT(YEAR FROM o.order_date) AS order_year,
  EXTRACT(MONTH FROM o.order_date) AS order_month,
  o.order_ts
FROM int_orders_enriched AS o
LEFT JOIN dim_customers AS c
  ON o.customer_id = c.customer_id
WHERE o.order_id NOT IN (
  SELECT order_id
  FROM src_payments
  WHERE payment_status = 'CHARGEBACK'
);
