-- Dynamic table options hints are not tables.
INSERT INTO int_orders_replay_v2 /*+ OPTIONS('sink.parallelism' = '2') */
SELECT o.order_id, o.amount
FROM src_orders_v2 /*+ OPTIONS('scan.startup.mode' = 'earliest-offset') */ AS o
JOIN dim_customers_v2 /*+ OPTIONS('lookup.cache' = 'PARTIAL') */ c ON o.customer_id = c.customer_id;
