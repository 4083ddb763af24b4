INSERT INTO int_all_events
SELECT event_id, 'web' AS channel, event_time FROM src_web_events
UNION ALL
SELECT event_id, 'mobile' AS channel, event_time FROM src_mobile_events
UNION ALL
SELECT event_id, channel, event_time
FROM (
    SELECT event_id, 'store' AS channel, event_time FROM src_store_events
    UNION
    SELECT event_id, 'kiosk' AS channel, event_time FROM src_kiosk_events
) AS offline;
