-- An un-aliased catalog.db.table is referred to by its last name part.
INSERT INTO `analytics`.`int_tenant_names_v2`
SELECT tenants_v2.tenant_id, tenants_v2.name, regions_v2.region_name
FROM shop_catalog.crm.tenants_v2
JOIN `shop_catalog`.`crm`.`regions_v2` ON tenants_v2.region_id = regions_v2.region_id;
