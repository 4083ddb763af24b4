-- Données clients : « SELECT * FROM fake_table » n'est pas une table.
INSERT INTO int_customer_labels_v2
SELECT k.customer_id, 'Café ☕ — FROM nowhere' AS label, k.`straße`, c.segment
FROM `kunden_münchen_v2` AS k /* ünïcödé 🙂 */ JOIN src_customers_v2 AS c ON k.customer_id = c.customer_id;
