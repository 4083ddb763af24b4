-- Un-aliased table names used as qualifiers are renamed with the table.
INSERT INTO int_user_orders
SELECT src_users.tenant_id, src_users.user_id, src_orders.*
FROM src_users
JOIN src_orders ON src_users.user_id = src_orders.user_id
WHERE src_users.active = TRUE;

-- Aliased tables: the alias is the qualifier and stays.
INSERT INTO int_user_orders_aliased
SELECT u.tenant_id, u.user_id, o.order_id
FROM src_users AS u
JOIN src_orders o ON u.user_id = o.user_id;

-- Backquoted qualifier; correlated subquery using the outer table name.
INSERT INTO int_tenants_with_orders
SELECT `src_tenants`.`tenant_id`, `src_tenants`.name
FROM `src_tenants`
WHERE EXISTS (
    SELECT 1 FROM src_users
    WHERE src_users.tenant_id = `src_tenants`.`tenant_id`
      AND src_users.active
);
