-- Explode order lines stored as an array of rows.
INSERT INTO int_order_lines
SELECT o.order_id, l.sku, l.qty
FROM src_orders AS o
CROSS JOIN UNNEST(o.lines) AS l (sku, qty);

INSERT INTO int_order_tags
SELECT src_orders.order_id, t.tag
FROM src_orders, UNNEST(src_orders.tags) AS t (tag);

-- No table at all: the rows come from an array literal.
INSERT INTO ref_priorities
SELECT label
FROM UNNEST(ARRAY['high', 'medium', 'low']) AS p (label);
