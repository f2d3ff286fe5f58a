-- Verify trafficsafety:tsi/processing on pg
SELECT 1 / (position('score_range' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.process_range(timestamptz, timestamptz, boolean)'::regprocedure;
SELECT has_function_privilege('tsi.process_pending(integer, integer)', 'execute');
