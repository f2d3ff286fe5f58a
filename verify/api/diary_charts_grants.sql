-- Verify trafficsafety:api/diary_charts_grants on pg
DO $$
BEGIN
    ASSERT has_function_privilege('web_anon', 'api.coverage(text, numeric)', 'execute'), 'anonymous cannot read coverage';
    ASSERT has_function_privilege('web_anon', 'api.route_trend(uuid, integer)', 'execute'), 'anonymous cannot read trends';
END
$$;
