INSERT INTO fct_bid_sessions
SELECT window_start, window_end, item, COUNT(*) AS bids
FROM TABLE(
    SESSION(TABLE src_bids PARTITION BY item, DESCRIPTOR(bid_time), INTERVAL '5' MINUTES))
GROUP BY window_start, window_end, item;
