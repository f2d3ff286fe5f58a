-- Revert trafficsafety:analytics/repair from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP PROCEDURE analytics.repair_segment_aggregates(timestamptz);
DROP FUNCTION analytics.exact_segment_sums(timestamptz);

COMMIT;
