-- nothing to insert into
INSERT INTO;
