-- Verify trafficsafety:tsi/data_quality on pg
SELECT 1 / (position('store_baselines' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.refresh_constants(timestamptz)'::regprocedure;
SELECT has_function_privilege('tsi.check_data_quality(timestamptz, integer)', 'execute');
