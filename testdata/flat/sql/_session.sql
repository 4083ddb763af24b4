-- Session defaults shared by every job of this project (no tables here).
SET 'sql.state-ttl' = '3 d';
SET 'sql.local-time-zone' = 'UTC';
