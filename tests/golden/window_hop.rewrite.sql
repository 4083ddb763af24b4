INSERT INTO fct_bids_sliding_v2
SELECT window_start, window_end, item, SUM(price) AS total_price
FROM TABLE(
    HOP(TABLE `shop`.`src_bids_v2`, DESCRIPTOR(bid_time), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, item;
