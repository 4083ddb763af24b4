INSERT INTO dim_countries_v2
SELECT DISTINCT country_code, country_name
FROM src_customers_v2;

INSERT INTO int_country_stats_v2
SELECT country_code, COUNT(DISTINCT customer_id) AS customers
FROM src_customers_v2
GROUP BY country_code;
