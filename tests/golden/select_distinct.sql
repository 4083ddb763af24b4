INSERT INTO dim_countries
SELECT DISTINCT country_code, country_name
FROM src_customers;

INSERT INTO int_country_stats
SELECT country_code, COUNT(DISTINCT customer_id) AS customers
FROM src_customers
GROUP BY country_code;
