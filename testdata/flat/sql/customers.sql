CREATE TABLE IF NOT EXISTS src_customers (
  customer_id  STRING NOT NULL,
  full_name    STRING,
  email        STRING,
  country      STRING,
  updated_at   TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry'
);

INSERT INTO src_customers
SELECT
  id,
  TRIM(BOTH ' ' FROM CONCAT_WS(' ', first_name, last_name)),
  LOWER(email),
  UPPER(country),
  TO_TIMESTAMP_LTZ(updated_at, 3)
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM `shop`.`public`.`customers`
)
WHERE rownum = 1;

/* The customer dimension is a CTAS: its schema comes from the query,
   so it has no separate INSERT INTO dim_customers anywhere. */
CREATE TABLE dim_customers (
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert'
)
AS SELECT
  customer_id,
  full_name,
  email,
  COALESCE(country, 'unknown: not FROM a known region') AS country
FROM src_customers
WHERE email IS NOT NULL;
