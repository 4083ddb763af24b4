CREATE TABLE fct_a (id INT)
WTIH ('connector' = 'kafka');
