-- Confluent Cloud exposes the Kafka record timestamp as the system column $rowtime.
ALTER TABLE src_clicks MODIFY WATERMARK FOR $rowtime AS $rowtime - INTERVAL '5' SECOND;

INSERT INTO int_clicks_per_minute
SELECT window_start, window_end, page, COUNT(*) AS clicks
FROM TABLE(
    TUMBLE(TABLE src_clicks, DESCRIPTOR($rowtime), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, page;

INSERT INTO int_recent_clicks
SELECT user_id, page, $rowtime AS clicked_at
FROM src_clicks
WHERE $rowtime > TO_TIMESTAMP_LTZ(1704067200000, 3);
