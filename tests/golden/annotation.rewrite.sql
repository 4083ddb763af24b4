CREATE TABLE src_a_v2 (id INT) WITH ('connector' = 'kafka');

-- A vendor statement greenlight cannot read, declared:
-- greenlight: writes fct_x_v2 reads src_a_v2, `ops`.raw_b_v2
INSERT INTO fct_x_v2
SELECT * FROM VENDOR_MERGE(src_a_v2, ops.raw_b_v2) WITH STRANGE SYNTAX src_a_v2.id;

CALL sys.compact('fct_x'); -- greenlight: ignore

/* greenlight: creates fct_y_v2 like fct_x_v2 */
CREATE TABLE fct_y_v2 WITH ('connector' = 'kafka') LIKE fct_x_v2 MAGIC CLAUSE;
