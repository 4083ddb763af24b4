CREATE TABLE IF NOT EXISTS fct_session_lengths (
  session_id    STRING,
  clicks        BIGINT,
  minutes       BIGINT
) DISTRIBUTED BY HASH(session_id) INTO 1 BUCKETS
WITH (
  'changelog.mode' = 'append',
  'value.format' = 'avro-registry'
);
