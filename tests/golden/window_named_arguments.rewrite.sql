INSERT INTO fct_hourly_visitors_v2
SELECT window_start, window_end, COUNT(DISTINCT user_id) AS visitors
FROM TABLE(
    TUMBLE(
        DATA => TABLE src_page_views_v2,
        TIMECOL => DESCRIPTOR(view_time),
        SIZE => INTERVAL '1' HOUR))
GROUP BY window_start, window_end;

INSERT INTO fct_sliding_views_v2
SELECT window_start, window_end, COUNT(*) AS views
FROM TABLE(
    HOP(
        DATA => TABLE src_page_views_v2,
        TIMECOL => DESCRIPTOR(view_time),
        SLIDE => INTERVAL '5' MINUTES,
        SIZE => INTERVAL '1' HOUR))
GROUP BY window_start, window_end;
