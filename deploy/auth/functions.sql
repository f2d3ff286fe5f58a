-- Deploy trafficsafety:auth/functions to pg
-- Who is calling (from the JWT PostgREST verified) and HS256 tokens signed in the database with
-- the secret PostgREST verifies (auth.jwt_secret).
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Missing-ok: anonymous requests and direct SQL sessions have no claims and get NULL.
CREATE FUNCTION auth.current_user_id()
RETURNS uuid LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN sub ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN sub::uuid END
    FROM (SELECT nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub' AS sub) c
$$;
COMMENT ON FUNCTION auth.current_user_id() IS 'The user id (JWT claim sub) of the current request; NULL when anonymous.';

CREATE FUNCTION auth.base64url(data bytea)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT translate(encode(data, 'base64'), E'+/=\n', '-_')
$$;
COMMENT ON FUNCTION auth.base64url(bytea) IS 'Unpadded base64url (RFC 7515).';

CREATE FUNCTION auth.sign_jwt(claims jsonb)
RETURNS text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT input || '.' || auth.base64url(hmac(convert_to(input, 'utf8'), convert_to(j.secret, 'utf8'), 'sha256'))
    FROM (SELECT auth.base64url(convert_to('{"alg":"HS256","typ":"JWT"}', 'utf8')) || '.'
                 || auth.base64url(convert_to(claims::text, 'utf8')) AS input) i
    CROSS JOIN auth.jwt_secret j
$$;
COMMENT ON FUNCTION auth.sign_jwt(jsonb) IS 'An HS256 JWT of the claims, signed with auth.jwt_secret.';

CREATE FUNCTION auth.session_for(p_user uuid)
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT jsonb_build_object(
        'token', auth.sign_jwt(jsonb_build_object(
            'role', 'web_user', 'sub', p_user,
            'iat', extract(epoch FROM now())::bigint, 'exp', extract(epoch FROM e.expires_at)::bigint)),
        'token_type', 'bearer', 'user_id', p_user, 'expires_at', e.expires_at)
    FROM (SELECT now() + make_interval(hours => diary.setting('token_lifetime_hours')::integer) AS expires_at) e
$$;
COMMENT ON FUNCTION auth.session_for(uuid) IS 'A log-in answer for the user: a web_user token valid token_lifetime_hours.';

COMMIT;
