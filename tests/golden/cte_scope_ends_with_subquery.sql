-- The CTE daily exists only inside the derived table; the daily joined
-- outside it is the real table daily.
INSERT INTO int_live_vs_daily
SELECT agg.product_id, agg.qty, d.qty AS daily_qty
FROM (
    WITH daily AS (
        SELECT product_id, SUM(quantity) AS qty
        FROM src_order_lines
        GROUP BY product_id
    )
    SELECT product_id, qty FROM daily
) AS agg
JOIN daily AS d ON agg.product_id = d.product_id;
