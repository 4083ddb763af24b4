-- Ad-hoc checks kept next to the pipeline.
SELECT * FROM int_orders WHERE amount < 0;

WITH recent AS (
    SELECT * FROM int_orders WHERE order_time > CURRENT_TIMESTAMP - INTERVAL '1' DAY
)
SELECT customer_id, COUNT(*) AS recent_orders FROM recent GROUP BY customer_id;

SELECT order_id FROM int_orders
EXCEPT
SELECT order_id FROM int_shipments;
