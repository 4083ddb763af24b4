CREATE VIEW IF NOT EXISTS v_top_campaigns AS
SELECT campaign, clicks
FROM fct_campaign_clicks
WHERE clicks > 100;
