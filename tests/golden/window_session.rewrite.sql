INSERT INTO fct_bid_sessions_v2
SELECT window_start, window_end, item, COUNT(*) AS bids
FROM TABLE(
    SESSION(TABLE src_bids_v2 PARTITION BY item, DESCRIPTOR(bid_time), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, item;
