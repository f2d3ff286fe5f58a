-- Verify trafficsafety:tsi/processing on pg
SELECT has_function_privilege('tsi.process_pending(integer, integer)', 'execute'),
       has_function_privilege('tsi.process_range(timestamptz, timestamptz, boolean)', 'execute'),
       has_function_privilege('tsi.compute_indices(timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.recompute_baselines(timestamptz)', 'execute'),
       has_function_privilege('tsi.ensure_constants(timestamptz)', 'execute'),
       has_function_privilege('tsi.recompute_constants(timestamptz)', 'execute'),
       has_function_privilege('tsi.store_constants(timestamptz, timestamptz, timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.constants_from_history(timestamptz, timestamptz, integer, double precision)', 'execute'),
       has_function_privilege('tsi.window_features(timestamptz, timestamptz, integer)', 'execute'),
       has_function_privilege('tsi.compute_features(timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.local_day_of_week(timestamptz, text)', 'execute'),
       has_function_privilege('tsi.local_hour(timestamptz, text)', 'execute');
