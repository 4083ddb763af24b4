CREATE TABLE src_orders (id STRING) WITH ('connector' = 'datagen');

INSERT INTO int_orders SELECT id FROM src_orders; /* forgot to close
SELECT 1;
