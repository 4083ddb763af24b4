INSERT INTO ref_country_codes VALUES
    ('DE', 'Germany'),
    ('FR', 'France'),
    ('US', 'United States');

INSERT INTO ref_currencies (code, symbol) VALUES ('EUR', '€'), ('USD', '$');

INSERT INTO ref_flags SELECT * FROM (VALUES (1, 'on'), (0, 'off')) AS f (id, label);
