CREATE TABLE fct_a WITH ('connector' = 'kafka')
SA SELECT * FROM src_orders;
