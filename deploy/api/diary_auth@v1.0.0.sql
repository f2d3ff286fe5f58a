-- Deploy trafficsafety:api/diary_auth to pg
-- Sign-up, log-in, the caller's account and its deletion.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- SECURITY DEFINER: an anonymous caller creates a user row and gets a token signed with the
-- secret only the owner reads.
CREATE FUNCTION api.sign_up(email text, password text, display_name text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_email text := lower(btrim(sign_up.email));
    v_min   integer := diary.setting('min_password_length');
    v_id    uuid;
BEGIN
    IF v_email IS NULL OR v_email !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' OR length(v_email) > 255 THEN
        PERFORM diary.invalid('email', 'must be an e-mail address');
    END IF;
    IF sign_up.password IS NULL OR char_length(sign_up.password) < v_min THEN
        PERFORM diary.invalid('password', format('must be at least %s characters', v_min));
    END IF;
    IF char_length(sign_up.display_name) > 100 THEN
        PERFORM diary.invalid('display_name', 'at most 100 characters');
    END IF;
    BEGIN
        INSERT INTO auth.users (email, password_hash, display_name)
        VALUES (v_email, crypt(sign_up.password, gen_salt('bf', 10)), sign_up.display_name)
        RETURNING user_id INTO v_id;
    EXCEPTION WHEN unique_violation THEN
        RAISE unique_violation USING MESSAGE = 'email: an account with this e-mail address exists',
                                     HINT = 'field: email';
    END;
    RETURN auth.session_for(v_id);
END
$$;
COMMENT ON FUNCTION api.sign_up(text, text, text) IS
    'Create an account (e-mail, case-insensitive and unique; password of at least 10 characters); returns a bearer token valid 24 h.';

CREATE FUNCTION api.log_in(email text, password text)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_id uuid;
BEGIN
    UPDATE auth.users u SET last_login_at = now()
    WHERE u.email = lower(btrim(log_in.email)) AND u.is_active
      AND u.password_hash = crypt(log_in.password, u.password_hash)
    RETURNING u.user_id INTO v_id;
    IF v_id IS NULL THEN
        RAISE SQLSTATE 'PT401' USING MESSAGE = 'email, password: no active account with this e-mail and password';
    END IF;
    RETURN auth.session_for(v_id);
END
$$;
COMMENT ON FUNCTION api.log_in(text, text) IS 'Log in with e-mail and password; returns a bearer token valid 24 h, or 401.';

CREATE VIEW api.my_account WITH (security_invoker = true) AS
SELECT user_id, email, display_name, avatar_url, api_tier, email_verified, created_at, last_login_at
FROM auth.users;
COMMENT ON VIEW api.my_account IS 'The logged-in user''s own account (row-level security: nobody sees another''s).';

CREATE FUNCTION api.delete_account()
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    uid     uuid := diary.require_user();
    counts  jsonb;
BEGIN
    counts := jsonb_build_object(
        'ratings', (SELECT count(*) FROM diary.ratings WHERE user_id = uid),
        'votes', (SELECT count(*) FROM diary.votes WHERE user_id = uid),
        'routes', (SELECT count(*) FROM diary.routes WHERE user_id = uid));
    -- SECURITY DEFINER, acting on the caller's row only. Cascades to the user's ratings, votes and routes; their triggers take the samples out of
    -- the segment sums, so the aggregates stay equal to a recomputation from what is left.
    DELETE FROM auth.users WHERE user_id = uid;
    RETURN jsonb_build_object('deleted', uid) || counts;
END
$$;
COMMENT ON FUNCTION api.delete_account() IS
    'Delete the logged-in user''s account with all their ratings, votes and routes; segment scores are updated accordingly.';

COMMIT;
