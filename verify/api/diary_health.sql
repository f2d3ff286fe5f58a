-- Verify trafficsafety:api/diary_health on pg
SELECT has_function_privilege('tsdb_owner', 'api.diary_health()', 'execute');
