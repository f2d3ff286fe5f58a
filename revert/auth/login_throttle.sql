-- Revert trafficsafety:auth/login_throttle from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION auth.record_login_failure(text);
DROP FUNCTION auth.check_login_throttle(text);
DELETE FROM diary.settings WHERE key IN ('login_max_failures', 'login_failure_window_minutes');
DROP TABLE auth.login_failures;

COMMIT;
