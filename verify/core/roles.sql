-- Verify trafficsafety:core/roles on pg
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['tsdb_owner', 'authenticator', 'web_anon', 'web_user', 'collector', 'analyst']) AS name
    WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'missing roles: %', missing;
    END IF;
    IF NOT pg_has_role('authenticator', 'web_anon', 'MEMBER')
       OR NOT pg_has_role('authenticator', 'web_user', 'MEMBER') THEN
        RAISE EXCEPTION 'authenticator cannot switch to web_anon and web_user';
    END IF;
    IF NOT has_database_privilege('authenticator', current_database(), 'CONNECT')
       OR has_database_privilege('public', current_database(), 'CONNECT') THEN
        RAISE EXCEPTION 'database % does not admit exactly our roles', current_database();
    END IF;
END
$$;
