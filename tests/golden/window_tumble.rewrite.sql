INSERT INTO fct_orders_per_5min_v2
SELECT window_start, window_end, SUM(price) AS revenue, COUNT(*) AS order_count
FROM TABLE(
    TUMBLE(TABLE src_orders_v2, DESCRIPTOR(order_time), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end;

-- Window join: both sides are window TVFs.
INSERT INTO int_clicks_with_orders_v2
SELECT L.user_id, L.window_start, R.order_id
FROM (
    SELECT * FROM TABLE(TUMBLE(TABLE src_clicks_v2, DESCRIPTOR(click_time), INTERVAL '5' MINUTES))
) L
JOIN (
    SELECT * FROM TABLE(TUMBLE(TABLE src_orders_v2, DESCRIPTOR(order_time), INTERVAL '5' MINUTES))
) R
ON L.user_id = R.user_id AND L.window_start = R.window_start AND L.window_end = R.window_end;
