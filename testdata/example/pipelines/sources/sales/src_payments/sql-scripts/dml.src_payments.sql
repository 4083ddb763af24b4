-- The payment gateway topic has a dash in its name, hence the backquotes.
INSERT INTO src_payments
SELECT
  id AS payment_id,
  order_id,
  UPPER(method) AS payment_method,
  UPPER(status) AS payment_status,
  amount,
  currency AS currency_code,
  captured_at
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM `raw-payments`
)
WHERE rownum = 1;
