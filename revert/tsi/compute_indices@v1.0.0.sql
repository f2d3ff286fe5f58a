-- Revert trafficsafety:tsi/compute_indices from pg
BEGIN;

DROP FUNCTION tsi.compute_indices(timestamptz, timestamptz);

COMMIT;
