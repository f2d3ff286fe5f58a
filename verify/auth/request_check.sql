-- Verify trafficsafety:auth/request_check on pg
SELECT has_function_privilege('tsdb_owner', 'hooks.check_request()', 'execute');
