CREATE TEMPORARY FUNCTION parse_ua AS 'com.example.ParseUserAgent' LANGUAGE JAVA

CREATE TABLE fct_agents (ua STRING) WITH ('connector' = 'blackhole');
