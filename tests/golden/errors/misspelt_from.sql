CREATE TABLE fct_a (id INT);

INSERT INTO fct_a
SELECT id, amount
FORM src_orders
WHERE amount > 0;
