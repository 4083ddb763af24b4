INSERT INTO fct_a
SELECT * FORM src_orders;
