-- The page each user came from (LAG over the user's clicks: keeps state).
INSERT INTO fct_user_paths
SELECT
  click_id,
  user_id,
  page_url,
  LAG(page_url) OVER (PARTITION BY user_id ORDER BY click_ts) AS previous_url,
  click_ts
FROM int_human_clicks;
