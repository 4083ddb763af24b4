-- Größe 🙂
SELECT 'café 🙂' AS label, 'oops FROM src_orders;
