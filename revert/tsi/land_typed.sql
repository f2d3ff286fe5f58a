-- Revert trafficsafety:tsi/land_typed from pg
BEGIN;

DROP PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer);
DROP FUNCTION tsi.typed_refused(uuid);
DROP FUNCTION tsi.typed_plain(tsi.typed_staging);
DROP FUNCTION tsi.number_kept(double precision);
DROP TABLE tsi.typed_staging;

COMMIT;
