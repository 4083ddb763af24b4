INSERT INTO src_users
SELECT user_id, country, segment, updated_at
FROM (
  SELECT
    id AS user_id,
    UPPER(country) AS country,
    COALESCE(segment, 'unknown') AS segment,
    TO_TIMESTAMP_LTZ(updated_ms, 3) AS updated_at,
    ROW_NUMBER() OVER (PARTITION BY id ORDER BY $rowtime DESC) AS rownum
  FROM raw_users
)
WHERE rownum = 1;
