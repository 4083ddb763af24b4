INSERT INTO int_audit_log_v2
SELECT
    'SELECT * FROM fake_table' AS sample_query,
    'it''s FROM fake_two; JOIN fake_three' AS note,
    CONCAT('INSERT INTO ', table_name) AS statement_text,
    REGEXP_EXTRACT(query_text, 'FROM\s+(\w+)', 1) AS extracted,
    '-- not a comment' AS dashes,
    '/* not a comment either */' AS slashes,
    'src_query_log' AS source_name
FROM src_query_log_v2
WHERE query_text NOT LIKE '%FROM fake_four%'
  AND origin <> ';';
