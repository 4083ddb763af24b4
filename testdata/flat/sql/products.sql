CREATE TABLE IF NOT EXISTS src_products (
  product_id    STRING NOT NULL,
  product_name  STRING,
  category      STRING,
  list_price    DECIMAL(10, 2),
  is_active     BOOLEAN,
  PRIMARY KEY (product_id) NOT ENFORCED
) DISTRIBUTED BY HASH(product_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry'
);

INSERT INTO src_products
SELECT id, name, category, price, active
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM raw_products
)
WHERE rownum = 1;

-- Product dimension as a view over the deduplicated source.
CREATE VIEW IF NOT EXISTS dim_products AS
SELECT product_id, product_name, COALESCE(category, 'Other') AS category, list_price
FROM src_products
WHERE is_active;
