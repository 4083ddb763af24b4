SET 'pipeline.name' = 'orders';

INSERT INTO fct_orders
SELECT id, 'open AS status
FROM src_orders;
