-- An un-aliased catalog.db.table is referred to by its last name part.
INSERT INTO `analytics`.`int_tenant_names`
SELECT tenants.tenant_id, tenants.name, regions.region_name
FROM shop_catalog.crm.tenants
JOIN `shop_catalog`.`crm`.`regions` ON tenants.region_id = regions.region_id;
