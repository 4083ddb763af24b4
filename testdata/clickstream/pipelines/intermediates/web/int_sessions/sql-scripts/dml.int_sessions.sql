INSERT INTO int_sessions
SELECT session_id, window_start, window_end, COUNT(*) AS clicks
FROM TABLE(SESSION(TABLE int_clicks_enriched PARTITION BY session_id, DESCRIPTOR(click_ts), INTERVAL '30' MINUTE))
GROUP BY session_id, window_start, window_end;
