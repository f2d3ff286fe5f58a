-- Verify trafficsafety:auth/privileges on pg
DO $$
BEGIN
    IF NOT has_function_privilege('web_anon', 'hooks.check_request()', 'execute')
       OR NOT has_function_privilege('web_user', 'hooks.check_request()', 'execute')
       OR NOT has_schema_privilege('web_anon', 'hooks', 'USAGE') THEN
        RAISE EXCEPTION 'the REST API roles cannot run hooks.check_request()';
    END IF;
END
$$;
