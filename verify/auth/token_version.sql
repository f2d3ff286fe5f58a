-- Verify trafficsafety:auth/token_version on pg
SELECT token_version FROM auth.users WHERE false;
SELECT has_function_privilege('tsdb_owner', 'auth.bump_token_version()', 'execute');
DO $$
BEGIN
    IF position('token_version' IN pg_get_functiondef('auth.session_for(uuid)'::regprocedure)) = 0 THEN
        RAISE EXCEPTION 'auth.session_for issues tokens without the token version';
    END IF;
END
$$;
