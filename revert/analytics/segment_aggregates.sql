-- Revert trafficsafety:analytics/segment_aggregates from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP VIEW analytics.segment_aggregates;

COMMIT;
