-- Deploy trafficsafety:auth/token_version to pg
-- A per-user token version, carried by every token as the claim "tv" and checked per request
-- (auth/request_check): changing the password increments it, so every token issued before dies
-- at once. Deletion and deactivation (is_active = false) are checked directly. Tokens also carry
-- the account's tier as the claim "t", for nginx's per-tier read rates (db/nginx/api.conf.template).
BEGIN;
SET LOCAL ROLE tsdb_owner;

ALTER TABLE auth.users ADD COLUMN token_version integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN auth.users.token_version IS
    'Tokens carry it as claim tv; a request whose token has another is refused (401). Incremented by a password change.';

CREATE FUNCTION auth.bump_token_version()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.token_version := OLD.token_version + 1;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION auth.bump_token_version() IS 'Trigger: a new password revokes the tokens issued before it.';

CREATE TRIGGER users_token_version BEFORE UPDATE OF password_hash ON auth.users
    FOR EACH ROW WHEN (NEW.password_hash IS DISTINCT FROM OLD.password_hash)
    EXECUTE FUNCTION auth.bump_token_version();

-- As in auth/functions, with the claims tv and t. The tier's claim has a one-letter name because
-- jsonb orders keys by length: it comes first in the payload, so its base64 is a fixed prefix
-- nginx can match without decoding (a forged one buys nothing but faster 401s).
CREATE OR REPLACE FUNCTION auth.session_for(p_user uuid)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT jsonb_build_object(
        'token', auth.sign_jwt(jsonb_build_object(
            'role', 'web_user', 'sub', p_user,
            't', coalesce(u.api_tier, 'free'), 'tv', coalesce(u.token_version, 0),
            'iat', extract(epoch FROM now())::bigint, 'exp', extract(epoch FROM e.expires_at)::bigint)),
        'token_type', 'bearer', 'user_id', p_user, 'expires_at', e.expires_at)
    FROM (SELECT now() + make_interval(hours => diary.setting('token_lifetime_hours')::integer) AS expires_at) e
    LEFT JOIN auth.users u ON u.user_id = p_user
$$;
COMMENT ON FUNCTION auth.session_for(uuid) IS
    'A log-in answer for the user: a web_user token valid token_lifetime_hours, carrying the user''s tier (claim t, first in the payload) and token version (tv).';

COMMIT;
