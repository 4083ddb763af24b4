INSERT INTO ref_country_codes_v2 VALUES
    ('DE', 'Germany'),
    ('FR', 'France'),
    ('US', 'United States');

INSERT INTO ref_currencies_v2 (code, symbol) VALUES ('EUR', '€'), ('USD', '$');

INSERT INTO ref_flags_v2 SELECT * FROM (VALUES (1, 'on'), (0, 'off')) AS f (id, label);
