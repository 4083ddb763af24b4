-- Drop the clicks of known crawlers (a stateless filter).
INSERT INTO int_human_clicks
SELECT click_id, session_id, user_id, country, page_url, campaign, click_ts
FROM int_clicks_enriched
WHERE user_agent NOT LIKE '%bot%';
