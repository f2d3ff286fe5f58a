-- Revert trafficsafety:tsi/rollup_state from pg
BEGIN;

DROP TABLE tsi.dirty_days;
DROP TABLE tsi.dirty_hours;
DROP TABLE tsi.rollup_watermarks;

COMMIT;
