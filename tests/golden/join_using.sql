INSERT INTO int_user_profiles
SELECT user_id, u.email, p.display_name, s.plan_name
FROM src_users AS u
JOIN src_profiles AS p USING (user_id)
LEFT JOIN src_subscriptions AS s USING (user_id);
