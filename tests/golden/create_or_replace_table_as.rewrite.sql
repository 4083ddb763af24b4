CREATE OR REPLACE TABLE int_active_users_v2
WITH ('connector' = 'filesystem', 'path' = '/data/int_active_users', 'format' = 'json')
AS SELECT user_id, email FROM src_users_v2 WHERE active = TRUE;
