-- The data-generator pattern: a faker table with the schema of the real
-- one, feeding it. LIKE copies a schema and reads no data: no cycle.
CREATE TABLE rates (
    currency STRING,
    rate DECIMAL(10, 4),
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'rates',
    'format' = 'json'
);

CREATE TEMPORARY TABLE rates_faker WITH (
    'connector' = 'faker',
    'fields.currency.expression' = '#{Options.option ''EUR'',''USD''}'
) LIKE rates (EXCLUDING OPTIONS);

INSERT INTO rates SELECT * FROM rates_faker;
