-- Dynamic table options hints are not tables.
INSERT INTO int_orders_replay /*+ OPTIONS('sink.parallelism' = '2') */
SELECT o.order_id, o.amount
FROM src_orders /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ AS o
JOIN dim_customers /*+ OPTIONS('lookup.cache' = 'PARTIAL') */ c ON o.customer_id = c.customer_id;
