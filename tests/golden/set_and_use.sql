SET 'sql-client.execution.result-mode' = 'tableau';
SET 'table.local-time-zone' = 'UTC';
RESET 'table.local-time-zone';
RESET;
USE CATALOG prod_catalog;
USE analytics;
USE prod_catalog.analytics;
SET 'table.exec.state.ttl' = '1 d';

INSERT INTO fct_sessions
SELECT session_id, user_id, MAX(event_time) AS last_seen
FROM src_events
GROUP BY session_id, user_id;
