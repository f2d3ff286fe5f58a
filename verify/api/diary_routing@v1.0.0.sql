-- Verify trafficsafety:api/diary_routing on pg
SELECT has_function_privilege('tsdb_owner', 'api.route(numeric[], numeric[], text, numeric, boolean)', 'execute');
