INSERT INTO int_customer_emails_v2 (customer_id, email, updated_at)
SELECT customer_id, LOWER(email), updated_at
FROM src_customers_v2
WHERE email IS NOT NULL;

INSERT INTO `int_customer_phones_v2` (`customer_id`, `phone`)
SELECT customer_id, phone FROM src_customers_v2;
