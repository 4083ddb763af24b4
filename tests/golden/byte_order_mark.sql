CREATE TABLE src_orders (id BIGINT) WITH ('connector' = 'datagen');
INSERT INTO fct_orders SELECT id FROM src_orders;
