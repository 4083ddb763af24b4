-- Statements of the SQL client and the job lifecycle around the pipeline.
ANALYZE TABLE src_orders_v2 COMPUTE STATISTICS FOR ALL COLUMNS;
CALL `paimon`.sys.compact('db.src_orders');
SHOW JOBS;
STOP JOB '228d70913eab60dda85c5e7f78b5782c' WITH SAVEPOINT;
EXPLAIN PLAN FOR SELECT * FROM src_orders;
COMPILE PLAN 'file:///tmp/plan.json' FOR INSERT INTO fct_orders_v2 SELECT * FROM src_orders_v2;
COMPILE AND EXECUTE PLAN 'file:///tmp/plan.json' FOR INSERT INTO fct_orders_v2 SELECT * FROM src_orders_v2;
HELP;
CLEAR;
QUIT;
