INSERT INTO src_order_items
WITH ranked_items AS (
  SELECT
    id,
    order_id,
    product_id,
    quantity,
    unit_price,
    discount_amount,
    promotions,
    added_at,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY `$rowtime` DESC) AS rownum
  FROM raw_order_items
)
SELECT
  id AS order_item_id,
  order_id,
  product_id,
  quantity,
  unit_price,
  COALESCE(discount_amount, 0) AS discount_amount,
  promotions,
  added_at
FROM ranked_items
WHERE rownum = 1;
