INSERT INTO fct_order_overview_v2
SELECT o.order_id, c.name, p.status, s.carrier, r.reason, w.name AS warehouse,
       cal.day_name, cur.symbol, g.gift_message
FROM src_orders_v2 AS o
INNER JOIN dim_customers_v2 AS c ON o.customer_id = c.customer_id
LEFT JOIN src_payments_v2 AS p ON o.order_id = p.order_id
LEFT OUTER JOIN src_shipments_v2 AS s ON o.order_id = s.order_id
RIGHT JOIN src_returns_v2 AS r ON o.order_id = r.order_id
FULL OUTER JOIN dim_warehouses_v2 AS w ON s.warehouse_id = w.warehouse_id
CROSS JOIN dim_calendar_v2 AS cal
JOIN dim_currencies_v2 cur ON o.currency = cur.code
RIGHT OUTER JOIN src_gift_notes_v2 g ON o.order_id = g.order_id
FULL JOIN src_coupons_v2 AS cp ON o.coupon_id = cp.coupon_id;
