INSERT INTO src_currency_rates
SELECT
  UPPER(currency) AS currency_code,
  CAST(rate AS DECIMAL(18, 8)) AS rate_to_usd,
  TO_TIMESTAMP_LTZ(published_at_ms, 3) AS valid_from
FROM (
  SELECT
    currency,
    rate,
    published_at_ms,
    ROW_NUMBER() OVER (PARTITION BY currency ORDER BY $rowtime DESC) AS rownum
  FROM raw_fx_rates
  WHERE rate > 0
)
WHERE rownum = 1;
