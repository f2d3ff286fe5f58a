-- Verify trafficsafety:api/health_grants on pg
DO $$
BEGIN
    IF NOT has_function_privilege('web_anon', 'api.health()', 'execute')
       OR NOT has_function_privilege('web_user', 'api.health()', 'execute') THEN
        RAISE EXCEPTION 'web_anon and web_user cannot execute api.health()';
    END IF;
END
$$;
