-- Revert trafficsafety:analytics/segment_sums from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE analytics.repair_log;
DROP TABLE analytics.segment_sums;

COMMIT;
