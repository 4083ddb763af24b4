CREATE TABLE a_v2 (id INT, v STRING) WITH ('connector' = 'kafka');
CREATE TABLE b_v2 (id INT, v STRING) WITH ('connector' = 'kafka');
CREATE TABLE c_v2 (tag STRING) WITH ('connector' = 'kafka');

-- A vendor table function given a table without TABLE: the table is a
-- parent (and renamed with it), and a warning says so.
INSERT INTO b_v2 SELECT * FROM TABLE(to_change(a_v2));

-- Correlated: `v` is a column of `a` (no table has that name), `TABLE a`
-- is a table argument the Flink way.
INSERT INTO c_v2
SELECT t.tag
FROM a_v2, LATERAL TABLE(split_tags(v)) AS t (tag)
WHERE EXISTS (SELECT 1 FROM TABLE(vendor.lib.explode(TABLE a_v2, 'x')));
