-- Un-aliased table names used as qualifiers are renamed with the table.
INSERT INTO int_user_orders_v2
SELECT src_users_v2.tenant_id, src_users_v2.user_id, src_orders_v2.*
FROM src_users_v2
JOIN src_orders_v2 ON src_users_v2.user_id = src_orders_v2.user_id
WHERE src_users_v2.active = TRUE;

-- Aliased tables: the alias is the qualifier and stays.
INSERT INTO int_user_orders_aliased_v2
SELECT u.tenant_id, u.user_id, o.order_id
FROM src_users_v2 AS u
JOIN src_orders_v2 o ON u.user_id = o.user_id;

-- Backquoted qualifier; correlated subquery using the outer table name.
INSERT INTO int_tenants_with_orders_v2
SELECT `src_tenants_v2`.`tenant_id`, `src_tenants_v2`.name
FROM `src_tenants_v2`
WHERE EXISTS (
    SELECT 1 FROM src_users_v2
    WHERE src_users_v2.tenant_id = `src_tenants_v2`.`tenant_id`
      AND src_users_v2.active
);
