-- Verify trafficsafety:tsi/assignment on pg
SELECT has_function_privilege('tsi.assign_unassigned(timestamptz, timestamptz, integer[], boolean)', 'execute'),
       has_function_privilege('tsi.nearest_intersection(double precision, double precision, double precision)', 'execute'),
       has_function_privilege('tsi.nearest_intersections(double precision[], double precision[], double precision[])', 'execute');
