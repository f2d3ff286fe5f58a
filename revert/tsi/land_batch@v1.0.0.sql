-- Revert trafficsafety:tsi/land_batch from pg
BEGIN;

DROP PROCEDURE tsi.land_batch(uuid, integer, integer, integer, integer, integer);

COMMIT;
