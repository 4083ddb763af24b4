INSERT INTO fct_orders SELECT FROM src_orders;
