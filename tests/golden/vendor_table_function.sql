CREATE TABLE a (id INT, v STRING) WITH ('connector' = 'kafka');
CREATE TABLE b (id INT, v STRING) WITH ('connector' = 'kafka');
CREATE TABLE c (tag STRING) WITH ('connector' = 'kafka');

-- A vendor table function given a table without TABLE: the table is a
-- parent (and renamed with it), and a warning says so.
INSERT INTO b SELECT * FROM TABLE(to_change(a));

-- Correlated: `v` is a column of `a` (no table has that name), `TABLE a`
-- is a table argument the Flink way.
INSERT INTO c
SELECT t.tag
FROM a, LATERAL TABLE(split_tags(v)) AS t (tag)
WHERE EXISTS (SELECT 1 FROM TABLE(vendor.lib.explode(TABLE a, 'x')));
