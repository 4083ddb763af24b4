CREATE TABLE IF NOT EXISTS fct_user_paths (
  click_id     STRING NOT NULL,
  user_id      STRING,
  page_url     STRING,
  previous_url STRING,
  click_ts     TIMESTAMP_LTZ(3)
) DISTRIBUTED BY HASH(click_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
