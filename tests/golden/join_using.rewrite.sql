INSERT INTO int_user_profiles_v2
SELECT user_id, u.email, p.display_name, s.plan_name
FROM src_users_v2 AS u
JOIN src_profiles_v2 AS p USING (user_id)
LEFT JOIN src_subscriptions_v2 AS s USING (user_id);
