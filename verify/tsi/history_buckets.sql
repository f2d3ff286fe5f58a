-- Verify trafficsafety:tsi/history_buckets on pg
-- has_function_privilege raises for a function that does not exist.
SELECT has_function_privilege('tsi.intersection_history_buckets(integer, timestamptz, timestamptz, text)', 'execute');
