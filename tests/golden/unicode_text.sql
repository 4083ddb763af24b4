-- Données clients : « SELECT * FROM fake_table » n'est pas une table.
INSERT INTO int_customer_labels
SELECT k.customer_id, 'Café ☕ — FROM nowhere' AS label, k.`straße`, c.segment
FROM `kunden_münchen` AS k /* ünïcödé 🙂 */ JOIN src_customers AS c ON k.customer_id = c.customer_id;
