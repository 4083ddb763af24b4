SET 'table.exec.state.ttl' = '1 d'
INSERT INTO fct_orders SELECT * FROM src_orders;
