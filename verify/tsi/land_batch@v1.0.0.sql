-- Verify trafficsafety:tsi/land_batch on pg
SELECT has_function_privilege('tsi.land_batch(uuid, integer, integer, integer, integer, integer)', 'execute');
