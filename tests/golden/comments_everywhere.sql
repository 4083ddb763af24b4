/* Header comment: INSERT INTO fake_target SELECT * FROM fake_source; */
-- FROM fake_a JOIN fake_b ON 1 = 1;
INSERT INTO /* target */ int_comment_test -- JOIN fake_c
SELECT
    o.order_id, -- FROM fake_d
    /* c.name FROM fake_e, */ c.name
FROM -- the orders topic; see FROM fake_f
    src_orders AS o
JOIN /* customers: JOIN fake_g */ dim_customers /* alias follows */ AS c
    ON o.customer_id = c.customer_id -- ; not the end
WHERE o.amount > 0 /* ; also not the end */
; -- trailing comment FROM fake_h
/* multi-line
   comment with INSERT INTO fake_i
   SELECT * FROM fake_j; */
SELECT COUNT(*) FROM/*no space*/src_orders;--FROM fake_k