CREATE TABLE IF NOT EXISTS fct_promotion_performance (
  promo_code         STRING NOT NULL,
  orders_with_promo  BIGINT,
  lines_discounted   BIGINT,
  total_discount     DECIMAL(14, 2),
  first_used_at      TIMESTAMP_LTZ(3),
  last_used_at       TIMESTAMP_LTZ(3),
  PRIMARY KEY (promo_code) NOT ENFORCED
) DISTRIBUTED BY HASH(promo_code) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'kafka.retention.time' = '0',
  'value.fields-include' = 'all'
);
