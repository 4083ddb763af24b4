-- Keep the latest row per user (deduplication).
INSERT INTO dim_users_v2
SELECT user_id, email, updated_at
FROM (
    SELECT *,
        ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY updated_at DESC) AS rownum
    FROM src_users_v2
)
WHERE rownum = 1;

-- Top 3 products per category (Top-N).
INSERT INTO fct_top_products_v2
SELECT category, product_id, sales
FROM (
    SELECT category, product_id, sales,
        ROW_NUMBER() OVER (PARTITION BY category ORDER BY sales DESC) AS row_num
    FROM int_product_sales_v2
) AS ranked
WHERE row_num <= 3;
