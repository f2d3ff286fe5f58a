-- Verify trafficsafety:api/legacy on pg
-- has_function_privilege raises for a function that does not exist: the text-argument functions
-- of the rework (the v1.0.0 ones had typed arguments).
SELECT has_function_privilege('api.legacy_safety_index()', 'execute'),
       has_function_privilege('api.legacy_safety_index_one(text)', 'execute'),
       has_function_privilege('api.legacy_intersection_names()', 'execute'),
       has_function_privilege('api.legacy_safety_history(text, text, text, text, text)', 'execute'),
       has_function_privilege('api.legacy_safety_stats(text, text, text, text)', 'execute'),
       has_function_privilege('api.legacy_safety_history_all(text, text, text, text)', 'execute'),
       has_function_privilege('api.legacy_intersections_nearby(text, text, text)', 'execute'),
       has_function_privilege('api.legacy_intersections_route(text, text)', 'execute');
