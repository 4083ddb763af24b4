-- Keep the latest row per user (deduplication).
INSERT INTO dim_users
SELECT user_id, email, updated_at
FROM (
    SELECT *,
        ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY updated_at DESC) AS rownum
    FROM src_users
)
WHERE rownum = 1;

-- Top 3 products per category (Top-N).
INSERT INTO fct_top_products
SELECT category, product_id, sales
FROM (
    SELECT category, product_id, sales,
        ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS row_num
    FROM int_product_sales
) AS ranked
WHERE row_num <= 3;
