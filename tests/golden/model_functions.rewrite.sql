CREATE MODEL sentiment
INPUT (review STRING)
OUTPUT (label STRING)
WITH ('provider' = 'openai', 'task' = 'classification');

INSERT INTO fct_reviews_v2
SELECT * FROM ML_PREDICT(TABLE src_reviews_v2, MODEL sentiment, DESCRIPTOR(review), MAP['async', 'true']);

INSERT INTO fct_scores_v2
SELECT * FROM TABLE(ML_EVALUATE(TABLE src_reviews_v2, MODEL `models`.`sentiment`, DESCRIPTOR(label, review)));

INSERT INTO fct_labels_v2
SELECT r.id, p.label FROM src_reviews_v2 AS r, LATERAL TABLE(ML_PREDICT('sentiment', r.review)) AS p (label);
