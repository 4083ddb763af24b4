-- Clauses at the start of a line that are not new statements.
ALTER TABLE src_orders_v2
SET ('scan.startup.mode' = 'latest-offset');
ALTER TABLE src_orders_v2
RESET ('scan.startup.mode');
ALTER TABLE src_orders_v2
DROP WATERMARK;
CREATE CATALOG lake
WITH ('type' = 'generic_in_memory');
EXPLAIN PLAN FOR
INSERT INTO fct_orders SELECT * FROM src_orders;
SET 'pipeline.name' = 'orders'
;
INSERT INTO fct_orders_v2
SELECT * FROM src_orders_v2;
