-- Revert trafficsafety:tsi/current_status from pg
BEGIN;

DROP PROCEDURE tsi.refresh_current_status();
DROP MATERIALIZED VIEW tsi.mv_current_safety_status;

COMMIT;
