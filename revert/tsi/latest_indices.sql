-- Revert trafficsafety:tsi/latest_indices from pg
BEGIN;

DROP FUNCTION tsi.latest_indices();
DROP VIEW tsi.minute_indices;

COMMIT;
