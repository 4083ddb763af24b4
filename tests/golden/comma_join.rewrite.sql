-- Interval join written as a comma join.
INSERT INTO int_shipped_orders_v2
SELECT o.order_id, s.shipment_id, c.country
FROM src_orders_v2 o, src_shipments_v2 s, dim_customers_v2 c
WHERE o.order_id = s.order_id
  AND o.customer_id = c.customer_id
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '4' HOUR;

-- Comma join without aliases, one table per line.
INSERT INTO int_order_shipment_pairs_v2
SELECT src_orders_v2.order_id, src_shipments_v2.shipment_id
FROM src_orders_v2,
     src_shipments_v2
WHERE src_orders_v2.order_id = src_shipments_v2.order_id;
