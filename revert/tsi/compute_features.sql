-- Revert trafficsafety:tsi/compute_features from pg
BEGIN;

DROP FUNCTION tsi.window_features(timestamptz, timestamptz, integer);
DROP FUNCTION tsi.compute_features(timestamptz, timestamptz);

COMMIT;
