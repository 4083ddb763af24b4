CREATE TABLE src_a (id INT) WITH ('connector' = 'kafka');

-- A vendor statement greenlight cannot read, declared:
-- greenlight: writes fct_x reads src_a, `ops`.raw_b
INSERT INTO fct_x
SELECT * FROM VENDOR_MERGE(src_a, ops.raw_b) WITH STRANGE SYNTAX src_a.id;

CALL sys.compact('fct_x'); -- greenlight: ignore

/* greenlight: creates fct_y like fct_x */
CREATE TABLE fct_y WITH ('connector' = 'kafka') LIKE fct_x MAGIC CLAUSE;
