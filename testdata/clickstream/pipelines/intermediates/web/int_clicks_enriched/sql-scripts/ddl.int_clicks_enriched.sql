CREATE TABLE IF NOT EXISTS int_clicks_enriched (
  click_id     STRING NOT NULL,
  session_id   STRING,
  user_id      STRING,
  country      STRING,
  segment      STRING,
  page_url     STRING,
  campaign     STRING,
  user_agent   STRING,
  click_ts     TIMESTAMP_LTZ(3) NOT NULL,
  WATERMARK FOR click_ts AS click_ts - INTERVAL '5' SECOND
) DISTRIBUTED BY HASH(click_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
