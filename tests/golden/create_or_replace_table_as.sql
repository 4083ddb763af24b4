CREATE OR REPLACE TABLE int_active_users
WITH ('connector' = 'filesystem', 'path' = '/data/int_active_users', 'format' = 'json')
AS SELECT user_id, email FROM src_users WHERE active = TRUE;
