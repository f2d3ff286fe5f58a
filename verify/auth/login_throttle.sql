-- Verify trafficsafety:auth/login_throttle on pg
SELECT email, failed_at FROM auth.login_failures WHERE false;
SELECT has_function_privilege('tsdb_owner', 'auth.check_login_throttle(text)', 'execute'),
       has_function_privilege('tsdb_owner', 'auth.record_login_failure(text)', 'execute');
SELECT 1 / count(*) FROM diary.settings WHERE key = 'login_max_failures';
