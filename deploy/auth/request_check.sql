-- Deploy trafficsafety:auth/request_check to pg
-- PostgREST's pre-request function (db-pre-request in db/postgrest.conf and docker-compose.yml):
-- it runs in every request's transaction after the role switch and the claims, before the
-- request's own query. Its own schema, hooks, which the REST API roles may enter but PostgREST
-- does not expose (db-schemas is api), so it is no endpoint.
BEGIN;

-- As the deployer: tsdb_owner may not create schemas (core/schemas).
CREATE SCHEMA hooks AUTHORIZATION tsdb_owner;
COMMENT ON SCHEMA hooks IS 'Functions PostgREST calls itself (the pre-request check); not exposed.';
SET LOCAL ROLE tsdb_owner;

-- SECURITY DEFINER: it reads auth.users and the catalog's role settings, which the API roles
-- cannot. SET LOCAL statement_timeout inside it outlives the call (only the GUCs of the
-- function's own SET clause are restored), and applies from the request's next statement on.
CREATE FUNCTION hooks.check_request()
RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    claims  jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
    role    text := nullif(current_setting('role'), 'none');
    timeout text;
    uid     uuid;
    u       record;
BEGIN
    -- The request's role's statement_timeout in this database (core/role_settings, role_timeouts).
    SELECT substr(c, length('statement_timeout=') + 1) INTO timeout
    FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database()
    CROSS JOIN unnest(s.setconfig) c
    WHERE s.setrole = (SELECT oid FROM pg_roles WHERE rolname = role) AND c LIKE 'statement_timeout=%';
    IF timeout IS NOT NULL THEN
        PERFORM set_config('statement_timeout', timeout, true);
    END IF;

    -- A user's token is valid only while its account exists, is active and has the token's version
    -- and tier (nginx grants the tier's read rate from the claim; a token without one counts as free).
    uid := auth.current_user_id();
    IF uid IS NULL THEN
        RETURN;
    END IF;
    SELECT is_active, token_version, api_tier INTO u FROM auth.users WHERE user_id = uid;
    IF NOT FOUND OR NOT u.is_active
       OR u.token_version <> (CASE WHEN claims ->> 'tv' ~ '^[0-9]{1,9}$' THEN (claims ->> 'tv')::integer ELSE 0 END)
       OR u.api_tier IS DISTINCT FROM coalesce(claims ->> 't', 'free') THEN
        RAISE SQLSTATE 'PGRST' USING
            MESSAGE = json_build_object(
                'code', 'TOKEN_REVOKED',
                'message', 'this token is no longer valid: its account was deleted or deactivated, or its password or tier changed',
                'details', NULL,
                'hint', 'log in again')::text,
            DETAIL = json_build_object('status', 401, 'headers', json_build_object(
                'WWW-Authenticate', 'Bearer error="invalid_token", error_description="token revoked"'))::text;
    END IF;
END
$$;
COMMENT ON FUNCTION hooks.check_request() IS
    'PostgREST pre-request: applies the request role''s statement_timeout, and answers 401 to a token whose account was deleted, deactivated or had its password or tier changed.';

COMMIT;
