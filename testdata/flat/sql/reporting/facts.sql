CREATE TABLE IF NOT EXISTS fct_daily_sales (
  sales_date    DATE NOT NULL,
  category      STRING NOT NULL,
  order_count   BIGINT,
  units_sold    BIGINT,
  revenue       DECIMAL(14, 2),
  PRIMARY KEY (sales_date, category) NOT ENFORCED
) DISTRIBUTED BY HASH(sales_date, category) INTO 1 BUCKETS
WITH ('changelog.mode' = 'upsert');

CREATE TABLE IF NOT EXISTS fct_customer_ltv (
  customer_id    STRING NOT NULL,
  full_name      STRING,
  order_count    BIGINT,
  lifetime_value DECIMAL(14, 2),
  first_order_ts TIMESTAMP_LTZ(3),
  PRIMARY KEY (customer_id) NOT ENFORCED
) DISTRIBUTED BY HASH(customer_id) INTO 1 BUCKETS
WITH ('changelog.mode' = 'upsert');

-- Both facts read int_orders: run them as one job so the source is read once.
EXECUTE STATEMENT SET
BEGIN
  -- daily totals; one row per day and category
  INSERT INTO fct_daily_sales
  SELECT
    CAST(o.order_ts AS DATE) AS sales_date,
    p.category,
    COUNT(DISTINCT o.order_id) AS order_count,
    CAST(SUM(o.quantity) AS BIGINT) AS units_sold,
    CAST(SUM(o.amount) AS DECIMAL(14, 2)) AS revenue
  FROM int_orders AS o
  JOIN dim_products AS p
    ON o.product_id = p.product_id
  GROUP BY CAST(o.order_ts AS DATE), p.category;

  INSERT INTO fct_customer_ltv
  SELECT
    c.customer_id,
    c.full_name,
    COUNT(*) AS order_count,
    CAST(SUM(o.amount) AS DECIMAL(14, 2)) AS lifetime_value,
    MIN(o.order_ts) AS first_order_ts
  FROM int_orders AS o
  JOIN dim_customers AS c
    ON o.customer_id = c.customer_id
  GROUP BY c.customer_id, c.full_name;
END;
