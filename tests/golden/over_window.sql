INSERT INTO int_order_running_totals
SELECT
    order_id,
    product,
    amount,
    SUM(amount) OVER (
        PARTITION BY product
        ORDER BY order_time
        RANGE BETWEEN INTERVAL '1' HOUR PRECEDING AND CURRENT ROW
    ) AS amount_last_hour
FROM src_orders;

-- Named window.
INSERT INTO int_order_moving_avg
SELECT order_id, product, AVG(amount) OVER w AS avg_last_10, COUNT(*) OVER w AS cnt_last_10
FROM src_orders
WINDOW w AS (
    PARTITION BY product
    ORDER BY order_time
    ROWS BETWEEN 10 PRECEDING AND CURRENT ROW
);
