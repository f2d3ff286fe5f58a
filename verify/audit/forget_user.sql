-- Verify trafficsafety:audit/forget_user on pg
SELECT has_function_privilege('tsdb_owner', 'audit.forget_user()', 'execute'),
       has_function_privilege('tsdb_owner', 'audit.without_personal_data(jsonb)', 'execute');
SELECT 1 / count(*) FROM pg_trigger WHERE tgname = 'users_forget' AND tgrelid = 'auth.users'::regclass;
