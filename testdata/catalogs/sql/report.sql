-- In the default catalog and database: a third `orders`, read from
-- another cluster, and a report joining the lake and Kafka orders.
CREATE TABLE orders (order_id STRING, amount DECIMAL(10, 2)) WITH ('connector' = 'kafka');

INSERT INTO orders SELECT order_id, amount FROM other_cluster.orders;

CREATE TABLE daily_revenue (day_ DATE, lake_total DECIMAL(12, 2), kafka_total DECIMAL(12, 2))
WITH ('connector' = 'kafka');

INSERT INTO daily_revenue
SELECT CAST(l.ts AS DATE), SUM(l.amount), SUM(k.amount)
FROM lake.sales.orders AS l
JOIN `kafka`.`sales`.orders AS k ON k.order_id = l.order_id
GROUP BY CAST(l.ts AS DATE);
