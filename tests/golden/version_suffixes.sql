-- Names that already carry a version suffix, or look like they do.
INSERT INTO fct_revenue_v9
SELECT r.order_day, r.amount, c.name, fx.rate, l.legacy_flag, s.score
FROM int_v2_orders AS r
JOIN dim_customers_v2 AS c ON r.customer_id = c.customer_id
JOIN ref_fx_v10 AS fx ON r.currency = fx.currency
LEFT JOIN src_v1_legacy_v1 AS l ON r.order_id = l.order_id
LEFT JOIN ref_scores_v99 AS s ON r.customer_id = s.customer_id
LEFT JOIN src_orders2 AS o2 ON r.order_id = o2.order_id
LEFT JOIN src_orders_version AS ov ON r.order_id = ov.order_id;
