CREATE TABLE src_orders (id STRING) WITH ('connector' = 'datagen');

  FROBNICATE THE TABLES;
