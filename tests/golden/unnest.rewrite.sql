-- Explode order lines stored as an array of rows.
INSERT INTO int_order_lines_v2
SELECT o.order_id, l.sku, l.qty
FROM src_orders_v2 AS o
CROSS JOIN UNNEST(o.lines) AS l (sku, qty);

INSERT INTO int_order_tags_v2
SELECT src_orders_v2.order_id, t.tag
FROM src_orders_v2, UNNEST(src_orders_v2.tags) AS t (tag);

-- No table at all: the rows come from an array literal.
INSERT INTO ref_priorities_v2
SELECT label
FROM UNNEST(ARRAY['high', 'medium', 'low']) AS p (label);
