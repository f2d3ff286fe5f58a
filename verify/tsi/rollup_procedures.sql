-- Verify trafficsafety:tsi/rollup_procedures on pg
SELECT has_function_privilege('tsi.rollup_hourly(timestamptz, integer)', 'execute'),
       has_function_privilege('tsi.rollup_daily(timestamptz, integer)', 'execute');
