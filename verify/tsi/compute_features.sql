-- Verify trafficsafety:tsi/compute_features on pg
SELECT has_function_privilege('tsi.window_features(timestamptz, timestamptz, integer)', 'execute'),
       has_function_privilege('tsi.compute_features(timestamptz, timestamptz)', 'execute');
