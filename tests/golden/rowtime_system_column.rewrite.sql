-- Confluent Cloud exposes the Kafka record timestamp as the system column $rowtime.
ALTER TABLE src_clicks_v2 MODIFY WATERMARK FOR $rowtime AS $rowtime - INTERVAL '5' SECOND;

INSERT INTO int_clicks_per_minute_v2
SELECT window_start, window_end, page, COUNT(*) AS clicks
FROM TABLE(
    TUMBLE(TABLE src_clicks_v2, DESCRIPTOR($rowtime), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end, page;

INSERT INTO int_recent_clicks_v2
SELECT user_id, page, $rowtime AS clicked_at
FROM src_clicks_v2
WHERE $rowtime > TO_TIMESTAMP_LTZ(1704067200000, 3);
