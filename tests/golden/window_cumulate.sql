INSERT INTO fct_bids_cumulative
SELECT window_start, window_end, SUM(price) AS total_price
FROM TABLE(
    CUMULATE(TABLE src_bids, DESCRIPTOR(bid_time), INTERVAL '2' MINUTES, INTERVAL '10' MINUTES))
GROUP BY window_start, window_end;
