INSERT INTO src_addresses
SELECT
  id AS address_id,
  customer_id,
  UPPER(address_type) AS address_type,
  line1,
  INITCAP(city) AS city,
  postal_code,
  UPPER(country) AS country_code,
  COALESCE(is_default, FALSE) AS is_default,
  TO_TIMESTAMP_LTZ(updated_at, 3) AS updated_at
FROM (
  SELECT
    *,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM `cdc`.`public`.`addresses`
)
WHERE rownum = 1;
