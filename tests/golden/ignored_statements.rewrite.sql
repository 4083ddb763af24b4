CREATE CATALOG my_catalog WITH ('type' = 'generic_in_memory');
CREATE DATABASE IF NOT EXISTS my_catalog.analytics COMMENT 'analytics tables';
CREATE FUNCTION IF NOT EXISTS analytics.mask_email AS 'com.acme.udf.MaskEmail' LANGUAGE JAVA;
CREATE TEMPORARY FUNCTION to_cents AS 'com.acme.udf.ToCents';
USE CATALOG my_catalog;
USE analytics;

INSERT INTO int_masked_users_v2
SELECT user_id, mask_email(email) AS email, to_cents(balance) AS balance_cents
FROM src_users_v2;
