-- Verify trafficsafety:api/health on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('api.health()', 'execute');
