-- Event-time temporal join against a versioned table.
INSERT INTO int_orders_in_eur
SELECT o.order_id, o.price * r.rate AS price_eur, o.order_time
FROM src_orders AS o
LEFT JOIN ref_currency_rates FOR SYSTEM_TIME AS OF o.order_time AS r
    ON o.currency = r.currency;

-- Lookup join (processing time) against a JDBC dimension.
INSERT INTO int_orders_with_customer
SELECT o.order_id, c.name, c.country
FROM src_orders AS o
JOIN dim_customers FOR SYSTEM_TIME AS OF o.proc_time AS c
    ON o.customer_id = c.customer_id;

-- Un-aliased form: the table names are the qualifiers.
SELECT src_orders.order_id, src_orders.price, ref_currency_rates.rate
FROM src_orders
JOIN ref_currency_rates FOR SYSTEM_TIME AS OF src_orders.order_time
ON src_orders.currency = ref_currency_rates.currency;
