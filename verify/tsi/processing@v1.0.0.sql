-- Verify trafficsafety:tsi/processing on pg
SELECT has_function_privilege('tsi.process_pending(integer, integer)', 'execute'),
       has_function_privilege('tsi.process_range(timestamptz, timestamptz, boolean)', 'execute');
