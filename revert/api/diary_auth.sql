-- Revert trafficsafety:api/diary_auth from pg
-- Back to the v1.0.0 log_in.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION api.log_in(email text, password text)
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

COMMIT;
