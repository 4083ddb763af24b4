INSERT INTO fct_bids_sliding
SELECT window_start, window_end, item, SUM(price) AS total_price
FROM TABLE(
    HOP(TABLE `shop`.`src_bids`, DESCRIPTOR(bid_time), INTERVAL '5' MINUTES, INTERVAL '10' MINUTES))
GROUP BY window_start, window_end, item;
