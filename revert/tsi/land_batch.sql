-- Revert trafficsafety:tsi/land_batch from pg
BEGIN;

DROP PROCEDURE tsi.land_batch(uuid, integer, integer, integer, integer, integer);
DROP FUNCTION tsi.assign_unassigned(timestamptz, timestamptz, integer[], boolean);
DROP FUNCTION tsi.nearest_intersection(double precision, double precision, double precision);
DROP FUNCTION tsi.nearest_intersections(double precision[], double precision[], double precision[]);

COMMIT;
