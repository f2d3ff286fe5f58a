-- Verify trafficsafety:api/tsi_functions on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('api.intersection_history(integer, timestamptz, timestamptz, text)', 'execute'),
       has_function_privilege('api.intersections_near(double precision, double precision, double precision)', 'execute'),
       has_function_privilege('api.intersections_along_route(jsonb, jsonb, double precision)', 'execute'),
       has_function_privilege('api.intersections_in_polygon(jsonb)', 'execute'),
       has_function_privilege('api.tsi_health()', 'execute');
