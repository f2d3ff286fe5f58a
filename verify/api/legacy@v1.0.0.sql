-- Verify trafficsafety:api/legacy on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('api.legacy_safety_index()', 'execute'),
       has_function_privilege('api.legacy_safety_index_one(integer)', 'execute'),
       has_function_privilege('api.legacy_safety_history(integer, integer, date, date, text)', 'execute'),
       has_function_privilege('api.legacy_intersections_nearby(double precision, double precision, integer)', 'execute'),
       has_function_privilege('api.legacy_intersections_route(text, integer)', 'execute');
