CREATE TABLE src_orders_v2 (id BIGINT) WITH ('connector' = 'datagen');
INSERT INTO fct_orders_v2 SELECT id FROM src_orders_v2;
