CREATE FUNCTION split_tags AS 'com.acme.flink.SplitTags' LANGUAGE JAVA;

CREATE TEMPORARY SYSTEM FUNCTION parse_ua AS 'com.acme.flink.ParseUserAgent';

INSERT INTO int_article_tags_v2
SELECT a.article_id, t.tag
FROM src_articles_v2 AS a, LATERAL TABLE(split_tags(a.tags, ',')) AS t (tag);

INSERT INTO int_page_view_devices_v2
SELECT v.view_id, ua.device, ua.os
FROM src_page_views_v2 AS v
LEFT JOIN LATERAL TABLE(parse_ua(v.user_agent)) AS ua (device, os) ON TRUE;

INSERT INTO int_page_view_tags_v2
SELECT v.view_id, t.tag
FROM src_page_views_v2 AS v
JOIN LATERAL TABLE(split_tags(v.url_tags, '/')) AS t (tag) ON TRUE;
