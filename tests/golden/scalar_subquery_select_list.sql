INSERT INTO int_orders_with_rate
SELECT
    o.order_id,
    o.amount,
    (SELECT MAX(r.rate) FROM ref_fx_rates AS r WHERE r.currency = o.currency) AS fx_rate,
    (SELECT COUNT(*) FROM src_order_lines AS l WHERE l.order_id = o.order_id) AS line_count
FROM src_orders AS o;
