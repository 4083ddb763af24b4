SET 'table.local-time-zone' = 'UTC';
SELECT * FROM (SELECT 1;
