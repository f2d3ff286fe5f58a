-- Verify trafficsafety:api/diary_routing_grants on pg
DO $$
BEGIN
    ASSERT has_function_privilege('web_user', 'api.route(numeric[], numeric[], text, numeric, boolean)', 'execute'), 'users cannot ask for routes';
END
$$;
