-- Deploy trafficsafety:auth/login_throttle to pg
-- Failed log-ins per e-mail address: after login_max_failures within
-- login_failure_window_minutes, log_in answers 429 with Retry-After until the oldest of them
-- leaves the window, whatever the password (a guesser cannot tell a right one from the throttle).
-- Per client address the proxy limits log_in and sign_up as well (db/nginx/api.conf.template).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE auth.login_failures (
    email     text NOT NULL,  -- as typed, lower-cased: the address need not be an account's
    failed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE auth.login_failures IS
    'Failed log-ins of the last login_failure_window_minutes per e-mail (older rows are purged on the next failure).';
CREATE INDEX idx_login_failures_email ON auth.login_failures (email, failed_at);
CREATE INDEX idx_login_failures_at ON auth.login_failures (failed_at);

INSERT INTO diary.settings (key, value, description) VALUES
    ('login_max_failures', 5, 'Failed log-ins per e-mail within login_failure_window_minutes before log_in answers 429'),
    ('login_failure_window_minutes', 15, 'Window of the failed log-ins counted per e-mail, minutes');

CREATE FUNCTION auth.check_login_throttle(p_email text)
RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    win    interval := make_interval(mins => diary.setting('login_failure_window_minutes')::integer);
    max_n  integer := diary.setting('login_max_failures');
    used   integer;
    oldest timestamptz;
    retry  integer;
BEGIN
    SELECT count(*), min(failed_at) INTO used, oldest FROM auth.login_failures
    WHERE email = p_email AND failed_at > now() - win;
    IF used >= max_n THEN
        retry := greatest(1, ceil(extract(epoch FROM oldest + win - now())))::integer;
        RAISE SQLSTATE 'PGRST' USING
            MESSAGE = json_build_object(
                'code', 'LOGIN_THROTTLED',
                'message', format('email: %s failed log-ins within %s minutes', used, extract(epoch FROM win) / 60),
                'details', NULL,
                'hint', format('retry after %s seconds', retry))::text,
            DETAIL = json_build_object('status', 429,
                                       'headers', json_build_object('Retry-After', retry::text))::text;
    END IF;
END
$$;
COMMENT ON FUNCTION auth.check_login_throttle(text) IS
    'Raises HTTP 429 with Retry-After when the e-mail had login_max_failures failed log-ins within the window.';

CREATE FUNCTION auth.record_login_failure(p_email text)
RETURNS void LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM auth.login_failures
    WHERE failed_at <= now() - make_interval(mins => diary.setting('login_failure_window_minutes')::integer);
    INSERT INTO auth.login_failures (email) VALUES (p_email);
$$;
COMMENT ON FUNCTION auth.record_login_failure(text) IS 'Counts a failed log-in of the e-mail and purges those out of the window.';

COMMIT;
