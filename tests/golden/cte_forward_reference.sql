-- In the body of previous_scores, recent is the table recent: the CTE
-- named recent is only defined after it.
INSERT INTO int_score_deltas
WITH previous_scores AS (
    SELECT player_id, score FROM recent WHERE bucket = 'previous'
),
recent AS (
    SELECT player_id, score FROM src_scores WHERE bucket = 'current'
)
SELECT r.player_id, r.score - p.score AS delta
FROM recent AS r
JOIN previous_scores AS p ON r.player_id = p.player_id;
