-- Latest image of each user (a versioned table for the temporal join).
CREATE TABLE IF NOT EXISTS src_users (
  user_id      STRING NOT NULL,
  country      STRING,
  segment      STRING,
  updated_at   TIMESTAMP_LTZ(3) NOT NULL,
  PRIMARY KEY (user_id) NOT ENFORCED,
  WATERMARK FOR updated_at AS updated_at - INTERVAL '1' MINUTE
) DISTRIBUTED BY HASH(user_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'upsert',
  'key.format' = 'avro-registry',
  'value.format' = 'avro-registry',
  'scan.startup.mode' = 'earliest-offset'
);
