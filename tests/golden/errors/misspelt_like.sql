CREATE TABLE fct_a WITH ('connector' = 'kafka') LIEK src_orders;
