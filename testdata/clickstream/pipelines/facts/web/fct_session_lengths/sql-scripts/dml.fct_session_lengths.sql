INSERT INTO fct_session_lengths
SELECT session_id, clicks, TIMESTAMPDIFF(MINUTE, window_start, window_end) AS minutes
FROM int_sessions
WHERE clicks > 1;
