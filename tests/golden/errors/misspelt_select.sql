INSERT INTO fct_a
SELET * FROM src_orders;
