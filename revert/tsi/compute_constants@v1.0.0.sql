-- Revert trafficsafety:tsi/compute_constants from pg
BEGIN;

DROP FUNCTION tsi.recompute_baselines(timestamptz);
DROP FUNCTION tsi.ensure_constants(timestamptz);
DROP FUNCTION tsi.recompute_constants(timestamptz);
DROP FUNCTION tsi.store_constants(timestamptz, timestamptz, timestamptz, timestamptz);
DROP FUNCTION tsi.constants_from_history(timestamptz, timestamptz, integer, double precision);

COMMIT;
