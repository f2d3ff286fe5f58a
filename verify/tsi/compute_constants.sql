-- Verify trafficsafety:tsi/compute_constants on pg
SELECT has_function_privilege('tsi.final_until(timestamptz)', 'execute'),
       has_function_privilege('tsi.minutes_with_data(timestamptz, timestamptz, integer)', 'execute'),
       has_function_privilege('tsi.constants_from_history(timestamptz, timestamptz, integer, double precision)', 'execute'),
       has_function_privilege('tsi.constants_for(timestamptz, timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.constants_outdated(tsi.normalization_constants)', 'execute'),
       has_function_privilege('tsi.ensure_constants(timestamptz, timestamptz)', 'execute'),
       has_function_privilege('tsi.recompute_constants(integer, timestamptz)', 'execute'),
       has_function_privilege('tsi.baselines_from_hours(timestamptz)', 'execute'),
       has_function_privilege('tsi.store_baselines(timestamptz)', 'execute');
SELECT 1 / (count(*) = 0)::integer FROM tsi.normalization_constants WHERE valid_until IS NULL;
