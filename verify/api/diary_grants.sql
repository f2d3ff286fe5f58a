-- Verify trafficsafety:api/diary_grants on pg
DO $$
BEGIN
    ASSERT has_function_privilege('web_anon', 'api.sign_up(text, text, text)', 'execute'), 'anonymous cannot sign up';
    ASSERT has_function_privilege('web_anon', 'api.segments(text, numeric, timestamptz)', 'execute'), 'anonymous cannot read segments';
    ASSERT has_function_privilege('web_user', 'api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid)', 'execute'), 'users cannot rate';
    ASSERT NOT has_function_privilege('web_anon', 'api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid)', 'execute'), 'anonymous may rate';
    ASSERT has_table_privilege('web_user', 'api.my_ratings', 'select'), 'users cannot read their ratings';
END
$$;
