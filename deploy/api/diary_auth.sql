-- Deploy trafficsafety:api/diary_auth to pg
-- Reworked after v1.0.0: log_in answers in the same time whether the e-mail exists or not (the
-- bcrypt work is done against a dummy hash of the same cost for an unknown one: 2 against 65 ms
-- told which e-mails have accounts), and counts failures per e-mail (auth/login_throttle). A
-- failure is answered through PostgREST's response.status rather than raised, so that its count
-- is committed. sign_up, my_account and delete_account are as released.
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

COMMIT;
