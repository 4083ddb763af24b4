CREATE TABLE IF NOT EXISTS fct_campaign_clicks (
  campaign     STRING NOT NULL,
  clicks       BIGINT,
  last_click   TIMESTAMP_LTZ(3),
  PRIMARY KEY (campaign) NOT ENFORCED
) DISTRIBUTED BY HASH(campaign) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry'
);
