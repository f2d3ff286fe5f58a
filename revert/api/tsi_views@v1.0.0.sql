-- Revert trafficsafety:api/tsi_views from pg
BEGIN;

DROP VIEW api.data_quality_events;
DROP VIEW api.safety_indices_daily;
DROP VIEW api.safety_indices_hourly;
DROP VIEW api.latest_indices;
DROP FUNCTION tsi.refuse_write();
DROP VIEW api.intersections;

COMMIT;
