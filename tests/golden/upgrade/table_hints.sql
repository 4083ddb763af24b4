CREATE TABLE s (id STRING, a INT, b STRING, c STRING, k STRING, arr ARRAY<STRING>, ts TIMESTAMP(3), WATERMARK FOR ts AS ts - INTERVAL '5' SECOND);
CREATE TABLE u (id STRING, k STRING, v INT, ts TIMESTAMP(3), PRIMARY KEY (k) NOT ENFORCED, WATERMARK FOR ts AS ts);
CREATE TABLE t (id STRING, x STRING, n BIGINT) WITH ('changelog.mode' = 'append');
INSERT INTO t
SELECT id, b, a
FROM s /*+ OPTIONS('scan.startup.mode' = 'latest-offset') */
WHERE c = 'v2';
