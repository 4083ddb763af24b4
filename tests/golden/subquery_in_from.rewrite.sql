INSERT INTO int_active_sessions_v2
SELECT s.user_id, u.email, s.session_count
FROM (
    SELECT user_id, COUNT(*) AS session_count
    FROM (
        SELECT user_id, session_id
        FROM (
            SELECT user_id, session_id, event_type
            FROM src_clickstream_v2
            WHERE event_type <> 'bot'
        ) AS human_events
        GROUP BY user_id, session_id
    ) AS sessions
    GROUP BY user_id
) AS s
JOIN (SELECT user_id, email FROM src_users_v2 WHERE active = TRUE) AS u
    ON s.user_id = u.user_id
WHERE s.session_count > 1;
