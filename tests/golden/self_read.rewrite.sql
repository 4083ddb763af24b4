CREATE TABLE s_v2 (id INT, v INT) WITH ('connector'='datagen');
CREATE TABLE t_v2 (id INT, v INT, PRIMARY KEY (id) NOT ENFORCED) WITH ('connector'='upsert-kafka');
INSERT INTO t_v2 SELECT s_v2.id, COALESCE(m.v, 0) + s_v2.v FROM s_v2 LEFT JOIN t_v2 m ON m.id = s_v2.id;
CREATE TABLE u_v2 (id INT) WITH ('connector'='blackhole');
INSERT INTO u_v2 SELECT id FROM t_v2;
