SET 'execution.runtime-mode' = 'batch';

INSERT OVERWRITE fct_daily_sales_v2
SELECT sale_date, store_id, SUM(amount) AS total
FROM src_sales_v2
GROUP BY sale_date, store_id;

INSERT OVERWRITE fct_store_sales_v2 PARTITION (dt = '2024-06-01')
SELECT store_id, SUM(amount) AS total
FROM src_sales_v2
WHERE sale_date = DATE '2024-06-01'
GROUP BY store_id;

INSERT INTO fct_store_sales_v2 PARTITION (dt = '2024-06-02')
SELECT store_id, SUM(amount) AS total
FROM src_sales_v2
WHERE sale_date = DATE '2024-06-02'
GROUP BY store_id;
