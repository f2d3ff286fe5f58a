-- Verify trafficsafety:tsi/local_time on pg
SELECT has_function_privilege('tsi.local_day_of_week(timestamptz, text)', 'execute'),
       has_function_privilege('tsi.local_hour(timestamptz, text)', 'execute');
