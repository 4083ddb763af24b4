INSERT INTO int_orders_with_rate_v2
SELECT
    o.order_id,
    o.amount,
    (SELECT MAX(r.rate) FROM ref_fx_rates_v2 AS r WHERE r.currency = o.currency) AS fx_rate,
    (SELECT COUNT(*) FROM src_order_lines_v2 AS l WHERE l.order_id = o.order_id) AS line_count
FROM src_orders_v2 AS o;
