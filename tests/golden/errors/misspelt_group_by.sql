INSERT INTO fct_a
SELECT id, COUNT(*) AS n
FROM src_orders
WHERE amount > 0
GROPU BY id;
