TRUNCATE TABLE fct_orders;
DELETE FROM fct_orders WHERE id IN (SELECT id FROM src_refunds WHERE src_refunds.id = fct_orders.id);
UPDATE fct_orders AS f SET amount = (SELECT MAX(amount) FROM src_orders WHERE src_orders.id = f.id) WHERE f.id > 0;
UPDATE fct_orders SET amount = 0 WHERE EXISTS (SELECT 1 FROM src_refunds r WHERE r.id = fct_orders.id);
