SET 'pipeline.name' = 'int_orders';
INSERT INTO SELECT * FROM src_orders;
