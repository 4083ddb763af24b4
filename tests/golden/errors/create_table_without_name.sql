-- a DDL that forgot its name
CREATE TABLE (a INT);
