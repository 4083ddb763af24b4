-- greenlight: wrties fct_a reads src_b
INSERT INTO fct_a SELECT * FROM src_b;
