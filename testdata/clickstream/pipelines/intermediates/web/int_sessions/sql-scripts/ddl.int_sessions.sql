CREATE TABLE IF NOT EXISTS int_sessions (
  session_id    STRING,
  window_start  TIMESTAMP(3) NOT NULL,
  window_end    TIMESTAMP(3) NOT NULL,
  clicks        BIGINT
) DISTRIBUTED BY HASH(session_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
