-- Debezium topic of the customer database (catalog.database.table).
INSERT INTO src_customers
SELECT
  id AS customer_id,
  email,
  first_name,
  last_name,
  phone,
  COALESCE(loyalty_tier, 'NONE') AS loyalty_tier,
  COALESCE(is_test, FALSE) AS is_test_account,
  TO_TIMESTAMP_LTZ(created_at, 3) AS signup_ts,
  TO_TIMESTAMP_LTZ(updated_at, 3) AS updated_at
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM cdc.public.customers
  WHERE __deleted IS DISTINCT FROM 'true'
)
WHERE rownum = 1;
