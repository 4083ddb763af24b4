CREATE TABLE s (id INT, v INT) WITH ('connector'='datagen');
CREATE TABLE t (id INT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector'='upsert-kafka');
INSERT INTO t SELECT s.id, COALESCE(m.v, 0) + s.v FROM s LEFT JOIN t m ON m.id = s.id;
CREATE TABLE u (id INT) WITH ('connector'='blackhole');
INSERT INTO u SELECT id FROM t;
