TRUNCATE TABLE fct_orders_v2;
DELETE FROM fct_orders_v2 WHERE id IN (SELECT id FROM src_refunds_v2 WHERE src_refunds_v2.id = fct_orders_v2.id);
UPDATE fct_orders_v2 AS f SET amount = (SELECT MAX(amount) FROM src_orders_v2 WHERE src_orders_v2.id = f.id) WHERE f.id > 0;
UPDATE fct_orders_v2 SET amount = 0 WHERE EXISTS (SELECT 1 FROM src_refunds_v2 r WHERE r.id = fct_orders_v2.id);
