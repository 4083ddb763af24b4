-- Each click with its user as of the click (temporal join: keeps state).
INSERT INTO int_clicks_enriched
SELECT
  c.click_id,
  c.session_id,
  c.user_id,
  u.country,
  u.segment,
  c.page_url,
  c.campaign,
  c.user_agent,
  c.click_ts
FROM src_clicks AS c
LEFT JOIN src_users FOR SYSTEM_TIME AS OF c.click_ts AS u
  ON c.user_id = u.user_id;
