/* Customer profile = customer LEFT JOIN its default shipping address.
   The first version did
     INSERT INTO int_customer_profiles SELECT * FROM customers_legacy
     JOIN address_book USING (customer_id);
   both of those tables are gone. */
-- NOTE: never SELECT FROM cdc.public.customers here; always go through src_customers.
INSERT INTO int_customer_profiles
WITH ranked_addresses AS (
  SELECT
    customer_id,
    city,
    postal_code,
    country_code,
    ROW_NUMBER() OVER (
      PARTITION BY customer_id
      ORDER BY updated_at DESC
    ) AS rownum
  FROM src_addresses
  WHERE address_type = 'SHIPPING'
    AND is_default
),
default_shipping AS (
  SELECT customer_id, city, postal_code, country_code
  FROM ranked_addresses  -- latest default address per customer
  WHERE rownum = 1
)
SELECT
  c.customer_id,
  LOWER(TRIM(c.email)) AS email,
  CONCAT_WS(' ', c.first_name, c.last_name) AS full_name,
  c.loyalty_tier,
  a.city,
  SUBSTRING(a.postal_code FROM 1 FOR 3) AS postal_prefix,
  a.country_code,
  c.signup_ts,
  c.updated_at
FROM src_customers AS c
LEFT JOIN default_shipping AS a
  ON c.customer_id = a.customer_id
WHERE NOT c.is_test_account;
