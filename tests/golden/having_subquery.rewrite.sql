INSERT INTO int_heavy_customers_v2
SELECT customer_id, SUM(amount) AS total
FROM src_orders_v2
GROUP BY customer_id
HAVING SUM(amount) > (SELECT AVG(threshold) FROM ref_thresholds_v2 WHERE kind = 'heavy')
   AND COUNT(*) >= 3;
