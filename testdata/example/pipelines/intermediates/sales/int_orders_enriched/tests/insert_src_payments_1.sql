-- One captured card payment for every test order, for the full amount.
INSERT INTO src_payments (payment_id, order_id, payment_method, payment_status, amount, currency_code, captured_at)
SELECT
  CONCAT('P-', order_id),
  order_id,
  'CARD',
  'CAPTURED',
  order_total,
  currency_code,
  order_ts
FROM src_orders
WHERE order_id IN ('O-1', 'O-2', 'O-3');
