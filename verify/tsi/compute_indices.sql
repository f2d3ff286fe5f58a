-- Verify trafficsafety:tsi/compute_indices on pg
SELECT has_function_privilege('tsi.compute_indices(timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.score_range(timestamptz, timestamptz)', 'execute');
