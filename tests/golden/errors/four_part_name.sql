INSERT INTO fct_a SELECT * FROM a.b.c.d;
