-- Verify trafficsafety:tsi/compute_constants on pg
SELECT has_function_privilege('tsi.recompute_baselines(timestamptz)', 'execute'),
       has_function_privilege('tsi.ensure_constants(timestamptz)', 'execute'),
       has_function_privilege('tsi.recompute_constants(timestamptz)', 'execute'),
       has_function_privilege('tsi.store_constants(timestamptz, timestamptz, timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.constants_from_history(timestamptz, timestamptz, integer, double precision)', 'execute');
