-- Revert trafficsafety:tsi/processing from pg
BEGIN;

DROP PROCEDURE tsi.process_pending(integer, integer);
DROP PROCEDURE tsi.process_range(timestamptz, timestamptz, boolean);
DROP FUNCTION tsi.compute_indices(timestamptz, timestamptz);
DROP FUNCTION tsi.recompute_baselines(timestamptz);
DROP FUNCTION tsi.ensure_constants(timestamptz);
DROP FUNCTION tsi.recompute_constants(timestamptz);
DROP FUNCTION tsi.store_constants(timestamptz, timestamptz, timestamptz, timestamptz);
DROP FUNCTION tsi.constants_from_history(timestamptz, timestamptz, integer, double precision);
DROP FUNCTION tsi.window_features(timestamptz, timestamptz, integer);
DROP FUNCTION tsi.compute_features(timestamptz, timestamptz);
DROP FUNCTION tsi.local_day_of_week(timestamptz, text);
DROP FUNCTION tsi.local_hour(timestamptz, text);

COMMIT;
