INSERT INTO int_all_events_v2
SELECT event_id, 'web' AS channel, event_time FROM src_web_events_v2
UNION ALL
SELECT event_id, 'mobile' AS channel, event_time FROM src_mobile_events_v2
UNION ALL
SELECT event_id, channel, event_time
FROM (
    SELECT event_id, 'store' AS channel, event_time FROM src_store_events_v2
    UNION
    SELECT event_id, 'kiosk' AS channel, event_time FROM src_kiosk_events_v2
) AS offline;
