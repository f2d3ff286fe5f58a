-- Revert trafficsafety:tsi/formula_config from pg
BEGIN;

DROP VIEW tsi.formula_periods;
DROP FUNCTION tsi.formula_at(timestamptz);
DROP TABLE tsi.formula_config;

COMMIT;
