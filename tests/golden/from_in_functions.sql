-- FROM inside function calls and IS [NOT] DISTINCT FROM are not table reads.
INSERT INTO int_order_facts
SELECT
    order_id,
    EXTRACT(YEAR FROM order_time) AS order_year,
    EXTRACT(HOUR FROM order_time) AS order_hour,
    TRIM(BOTH ' ' FROM customer_name) AS customer_name,
    TRIM(LEADING '0' FROM zip_code) AS zip_code,
    TRIM(FROM sku) AS sku,
    SUBSTRING(sku FROM 1 FOR 3) AS sku_prefix,
    OVERLAY(card_number PLACING '****' FROM 1 FOR 12) AS masked_card,
    POSITION('-' IN sku) AS dash_pos
FROM src_orders
WHERE status IS DISTINCT FROM previous_status
  AND region IS NOT DISTINCT FROM home_region
  AND EXTRACT(DAY FROM order_time) IN (SELECT day_of_month FROM ref_billing_days);
