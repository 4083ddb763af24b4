-- Parse the raw click events: a filter and a projection, no state.
INSERT INTO src_clicks
SELECT
  id AS click_id,
  session AS session_id,
  NULLIF(TRIM(user_ref), '') AS user_id,
  LOWER(url) AS page_url,
  COALESCE(utm_campaign, 'none') AS campaign,
  agent AS user_agent,
  TO_TIMESTAMP_LTZ(ts_ms, 3) AS click_ts
FROM raw_clicks
WHERE id IS NOT NULL;
