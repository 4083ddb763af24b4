-- Interval join written as a comma join.
INSERT INTO int_shipped_orders
SELECT o.order_id, s.shipment_id, c.country
FROM src_orders o, src_shipments s, dim_customers c
WHERE o.order_id = s.order_id
  AND o.customer_id = c.customer_id
  AND s.ship_time BETWEEN o.order_time AND o.order_time + INTERVAL '4' HOUR;

-- Comma join without aliases, one table per line.
INSERT INTO int_order_shipment_pairs
SELECT src_orders.order_id, src_shipments.shipment_id
FROM src_orders,
     src_shipments
WHERE src_orders.order_id = src_shipments.order_id;
