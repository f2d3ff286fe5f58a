-- Deploy trafficsafety:api/diary_auth to pg
-- Reworked after v1.0.0: log_in answers in the same time whether the e-mail exists or not (the
-- bcrypt work is done against a dummy hash of the same cost for an unknown one: 2 against 65 ms
-- told which e-mails have accounts), and counts failures per e-mail (auth/login_throttle). A
-- failure is answered through PostgREST's response.status rather than raised, so that its count
-- is committed. sign_up counts an attempt on a taken e-mail the same way (answered 409, not
-- raised), and is refused with 429 like log_in for an e-mail with too many failures: a probe of
-- which e-mails have accounts. my_account and delete_account are as released.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION api.log_in(email text, password text)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_email text := lower(btrim(log_in.email));
    u       record;
    hash    text;
BEGIN
    PERFORM auth.check_login_throttle(v_email);
    SELECT x.user_id, x.password_hash, x.is_active INTO u FROM auth.users x WHERE x.email = v_email;
    -- bcrypt of cost 10, as sign_up makes them: an unknown e-mail costs the same work.
    hash := coalesce(u.password_hash, '$2a$10$DqHcQIsWJi92QhUJFtIxnOaPvHtrc5z6Lk8nlI3/1cvyEKbkjpubG');
    IF crypt(coalesce(log_in.password, ''), hash) = hash AND u.user_id IS NOT NULL AND u.is_active THEN
        UPDATE auth.users x SET last_login_at = now() WHERE x.user_id = u.user_id;
        RETURN auth.session_for(u.user_id);
    END IF;
    PERFORM auth.record_login_failure(v_email);
    PERFORM set_config('response.status', '401', true);
    RETURN jsonb_build_object('code', 'PT401', 'details', NULL, 'hint', NULL,
                              'message', 'email, password: no active account with this e-mail and password');
END
$$;
COMMENT ON FUNCTION api.log_in(text, text) IS
    'Log in with e-mail and password; returns a bearer token valid 24 h, or 401. After 5 failed log-ins of an e-mail within 15 minutes: 429 with Retry-After.';

CREATE OR REPLACE FUNCTION api.sign_up(email text, password text, display_name text DEFAULT NULL)
RETURNS jsonb LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    v_email text := lower(btrim(sign_up.email));
    v_min   integer := diary.setting('min_password_length');
    v_id    uuid;
BEGIN
    PERFORM auth.check_login_throttle(v_email);
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
        -- answered, not raised, so that the attempt is counted (a probe of which e-mails exist)
        PERFORM auth.record_login_failure(v_email);
        PERFORM set_config('response.status', '409', true);
        RETURN jsonb_build_object('code', '23505', 'details', NULL, 'hint', 'field: email',
                                  'message', 'email: an account with this e-mail address exists');
    END;
    RETURN auth.session_for(v_id);
END
$$;
COMMENT ON FUNCTION api.sign_up(text, text, text) IS
    'Create an account (e-mail, case-insensitive and unique; password of at least 10 characters); returns a bearer token valid 24 h. A taken e-mail answers 409 and counts as a failed log-in of it (429 after 5 within 15 minutes).';

COMMIT;
