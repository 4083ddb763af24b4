CREATE MODEL sentiment
INPUT (review STRING)
OUTPUT (label STRING)
WITH ('provider' = 'openai', 'task' = 'classification');

INSERT INTO fct_reviews
SELECT * FROM ML_PREDICT(TABLE src_reviews, MODEL sentiment, DESCRIPTOR(review), MAP['async', 'true']);

INSERT INTO fct_scores
SELECT * FROM TABLE(ML_EVALUATE(TABLE src_reviews, MODEL `models`.`sentiment`, DESCRIPTOR(label, review)));

INSERT INTO fct_labels
SELECT r.id, p.label FROM src_reviews AS r, LATERAL TABLE(ML_PREDICT('sentiment', r.review)) AS p (label);
