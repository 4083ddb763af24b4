INSERT INTO int_order_running_totals_v2
SELECT
    order_id,
    product,
    amount,
    SUM(amount) OVER (
        PARTITION BY product
        ORDER BY order_time
        RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW
    ) AS amount_last_hour
FROM src_orders_v2;

-- Named window.
INSERT INTO int_order_moving_avg_v2
SELECT order_id, product, AVG(amount) OVER w AS avg_last_10, COUNT(*) OVER w AS cnt_last_10
FROM src_orders_v2
WINDOW w AS (
    PARTITION BY product
    ORDER BY order_time
    ROWS BETWEEN 10 PRECEDING AND CURRENT ROW
);
