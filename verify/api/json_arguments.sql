-- Verify trafficsafety:api/json_arguments on pg
SELECT has_function_privilege('tsi.jsonb_argument(jsonb, text)', 'execute');
