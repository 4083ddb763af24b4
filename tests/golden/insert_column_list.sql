INSERT INTO int_customer_emails (customer_id, email, updated_at)
SELECT customer_id, LOWER(email), updated_at
FROM src_customers
WHERE email IS NOT NULL;

INSERT INTO `int_customer_phones` (`customer_id`, `phone`)
SELECT customer_id, phone FROM src_customers;
