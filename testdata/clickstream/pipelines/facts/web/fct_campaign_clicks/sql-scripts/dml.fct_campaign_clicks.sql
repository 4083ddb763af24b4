INSERT INTO fct_campaign_clicks
SELECT campaign, COUNT(*) AS clicks, MAX(click_ts) AS last_click
FROM int_human_clicks
GROUP BY campaign;
