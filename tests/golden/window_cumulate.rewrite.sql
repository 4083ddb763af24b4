INSERT INTO fct_bids_cumulative_v2
SELECT window_start, window_end, SUM(price) AS total_price
FROM TABLE(
    CUMULATE(TABLE src_bids_v2, DESCRIPTOR(bid_time), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
GROUP BY window_start, window_end;
