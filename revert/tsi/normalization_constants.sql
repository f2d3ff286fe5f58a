-- Revert trafficsafety:tsi/normalization_constants from pg
BEGIN;

DROP TABLE tsi.eb_baselines;
DROP TABLE tsi.normalization_constants;

COMMIT;
