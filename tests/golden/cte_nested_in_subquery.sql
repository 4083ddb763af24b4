-- A WITH clause inside a derived table.
INSERT INTO fct_popular_products
SELECT popular.product_id, popular.total_qty, p.category
FROM (
    WITH daily AS (
        SELECT product_id, SUM(quantity) AS total_qty
        FROM src_order_lines
        GROUP BY product_id
    )
    SELECT product_id, total_qty
    FROM daily
    WHERE total_qty > 10
) AS popular
JOIN dim_products AS p ON popular.product_id = p.product_id;
