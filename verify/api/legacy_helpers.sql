-- Verify trafficsafety:api/legacy_helpers on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('tsi.legacy_answer(integer, jsonb)', 'execute'),
       has_function_privilege('tsi.legacy_problem(text, text, text, text, text, jsonb)', 'execute'),
       has_function_privilege('tsi.legacy_validation(jsonb[])', 'execute'),
       has_function_privilege('tsi.legacy_integer_problem(text, text, text, integer, integer)', 'execute'),
       has_function_privilege('tsi.legacy_number_problem(text, text, text, double precision, double precision)', 'execute'),
       has_function_privilege('tsi.legacy_date_problem(text, text, text)', 'execute'),
       has_function_privilege('tsi.legacy_pattern_problem(text, text, text, text)', 'execute'),
       has_function_privilege('tsi.legacy_missing_problem(text, text, text)', 'execute'),
       has_function_privilege('tsi.legacy_window(integer, integer, date, date, integer)', 'execute'),
       has_function_privilege('tsi.legacy_aggregation(text, integer)', 'execute'),
       has_function_privilege('tsi.legacy_history_document(integer, timestamptz, timestamptz, text, text)', 'execute');
