INSERT INTO int_heavy_customers
SELECT customer_id, SUM(amount) AS total
FROM src_orders
GROUP BY customer_id
HAVING SUM(amount) > (SELECT AVG(threshold) FROM ref_thresholds WHERE kind = 'heavy')
   AND COUNT(*) >= 3;
