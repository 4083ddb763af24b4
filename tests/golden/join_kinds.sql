INSERT INTO fct_order_overview
SELECT o.order_id, c.name, p.status, s.carrier, r.reason, w.name AS warehouse,
       cal.day_name, cur.symbol, g.gift_message
FROM src_orders AS o
INNER JOIN dim_customers AS c ON o.customer_id = c.customer_id
LEFT JOIN src_payments AS p ON o.order_id = p.order_id
LEFT OUTER JOIN src_shipments AS s ON o.order_id = s.order_id
RIGHT JOIN src_returns AS r ON o.order_id = r.order_id
FULL OUTER JOIN dim_warehouses AS w ON s.warehouse_id = w.warehouse_id
CROSS JOIN dim_calendar AS cal
JOIN dim_currencies cur ON o.currency = cur.code
RIGHT OUTER JOIN src_gift_notes g ON o.order_id = g.order_id
FULL JOIN src_coupons AS cp ON o.coupon_id = cp.coupon_id;
