-- The data-generator pattern: a faker table with the schema of the real
-- one, feeding it. LIKE copies a schema and reads no data: no cycle.
CREATE TABLE rates_v2 (
    currency STRING,
    rate DECIMAL(10, 4),
    ts TIMESTAMP(3),
    WATERMARK FOR ts AS ts - INTERVAL '1' SECOND
) WITH (
    'connector' = 'kafka',
    'topic' = 'rates',
    'format' = 'json'
);

CREATE TEMPORARY TABLE rates_faker_v2 WITH (
    'connector' = 'faker',
    'fields.currency.expression' = '#{Options.option ''EUR'',''USD''}'
) LIKE rates_v2 (EXCLUDING OPTIONS);

INSERT INTO rates_v2 SELECT * FROM rates_faker_v2;
