-- Revert trafficsafety:tsi/assignment from pg
BEGIN;

DROP FUNCTION tsi.assign_unassigned(timestamptz, timestamptz, integer[], boolean);
DROP FUNCTION tsi.nearest_intersection(double precision, double precision, double precision);
DROP FUNCTION tsi.nearest_intersections(double precision[], double precision[], double precision[]);

COMMIT;
