-- Revert trafficsafety:tsi/formula_config from pg
BEGIN;

DROP FUNCTION tsi.formula_at(timestamptz);
DROP TABLE tsi.formula_config;

COMMIT;
