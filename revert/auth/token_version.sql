-- Revert trafficsafety:auth/token_version from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION auth.session_for(p_user uuid)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT jsonb_build_object(
        'token', auth.sign_jwt(jsonb_build_object(
            'role', 'web_user', 'sub', p_user,
            'iat', extract(epoch FROM now())::bigint, 'exp', extract(epoch FROM e.expires_at)::bigint)),
        'token_type', 'bearer', 'user_id', p_user, 'expires_at', e.expires_at)
    FROM (SELECT now() + make_interval(hours => diary.setting('token_lifetime_hours')::integer) AS expires_at) e
$$;
COMMENT ON FUNCTION auth.session_for(uuid) IS 'A log-in answer for the user: a web_user token valid token_lifetime_hours.';

DROP TRIGGER users_token_version ON auth.users;
DROP FUNCTION auth.bump_token_version();
ALTER TABLE auth.users DROP COLUMN token_version;

COMMIT;
