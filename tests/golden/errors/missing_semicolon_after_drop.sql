DROP TABLE IF EXISTS fct_orders
CREATE TABLE fct_orders (id BIGINT) WITH ('connector' = 'blackhole');
