-- Verify trafficsafety:analytics/repair on pg
SELECT has_function_privilege('tsdb_owner', 'analytics.exact_segment_sums(timestamptz)', 'execute');
SELECT has_function_privilege('tsdb_owner', 'analytics.repair_segment_aggregates(timestamptz)', 'execute');
