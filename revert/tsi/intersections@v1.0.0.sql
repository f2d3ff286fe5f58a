-- Revert trafficsafety:tsi/intersections from pg
BEGIN;

DROP TABLE tsi.intersections;
DROP FUNCTION tsi.intersections_before_write();

COMMIT;
