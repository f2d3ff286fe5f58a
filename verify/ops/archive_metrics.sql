-- Verify trafficsafety:ops/archive_metrics on pg
SELECT has_function_privilege('ops.archive_consistency()', 'execute');
