-- Revert trafficsafety:ops/business_metrics from pg
BEGIN;

DROP FUNCTION ops.risk_bands();
DROP FUNCTION ops.business_status();
DROP FUNCTION ops.intersection_status();

COMMIT;
