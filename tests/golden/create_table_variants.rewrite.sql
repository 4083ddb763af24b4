CREATE TEMPORARY TABLE tmp_order_events_v2 (
    order_id STRING,
    event_type STRING,
    event_time TIMESTAMP(3)
) WITH (
    'connector' = 'datagen',
    'rows-per-second' = '10'
);

CREATE TABLE IF NOT EXISTS fct_order_events_v2 (
    order_id STRING,
    event_type STRING,
    event_time TIMESTAMP(3),
    dt STRING
) PARTITIONED BY (dt) WITH (
    'connector' = 'filesystem',
    'path' = 'file:///data/fct_order_events',
    'format' = 'csv'
);

CREATE TEMPORARY TABLE IF NOT EXISTS `sink_debug_v2` (
    order_id STRING
) WITH ('connector' = 'blackhole');

INSERT INTO fct_order_events_v2
SELECT order_id, event_type, event_time, DATE_FORMAT(event_time, 'yyyy-MM-dd')
FROM tmp_order_events_v2;
