-- Verify trafficsafety:tsi/query_arguments on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('tsi.check_argument(text, text)', 'execute'),
       has_function_privilege('tsi.range_problem(text, double precision, double precision, double precision)', 'execute'),
       has_function_privilege('tsi.geojson_geometry(jsonb, text, text[])', 'execute'),
       has_function_privilege('tsi.route_line(jsonb, jsonb)', 'execute');
