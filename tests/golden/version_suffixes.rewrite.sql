-- Names that already carry a version suffix, or look like they do.
INSERT INTO fct_revenue_v10
SELECT r.order_day, r.amount, c.name, fx.rate, l.legacy_flag, s.score
FROM int_v2_orders_v2 AS r
JOIN dim_customers_v3 AS c ON r.customer_id = c.customer_id
JOIN ref_fx_v11 AS fx ON r.currency = fx.currency
LEFT JOIN src_v1_legacy_v2 AS l ON r.order_id = l.order_id
LEFT JOIN ref_scores_v100 AS s ON r.customer_id = s.customer_id
LEFT JOIN src_orders2_v2 AS o2 ON r.order_id = o2.order_id
LEFT JOIN src_orders_version_v2 AS ov ON r.order_id = ov.order_id;
