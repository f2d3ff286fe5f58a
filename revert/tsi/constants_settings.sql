-- Revert trafficsafety:tsi/constants_settings from pg
BEGIN;

ALTER TABLE tsi.normalization_constants DROP COLUMN formula_version;
ALTER TABLE tsi.eb_baselines DROP COLUMN excluded_hours, DROP COLUMN history_until;
ALTER TABLE tsi.formula_config DROP COLUMN normalization_min_minutes;

COMMIT;
