-- Verify trafficsafety:tsi/land_batch on pg
SELECT has_function_privilege('tsi.land_batch(uuid, integer, integer, integer, integer, integer)', 'execute'),
       has_function_privilege('tsi.assign_unassigned(timestamptz, timestamptz, integer[], boolean)', 'execute'),
       has_function_privilege('tsi.nearest_intersection(double precision, double precision, double precision)', 'execute'),
       has_function_privilege('tsi.nearest_intersections(double precision[], double precision[], double precision[])', 'execute');
