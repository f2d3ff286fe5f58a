-- Verify trafficsafety:tsi/rescore on pg
SELECT has_function_privilege('tsi.rescore(timestamptz, timestamptz, integer)', 'execute');
