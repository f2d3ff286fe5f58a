-- Revert trafficsafety:diary/routes from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TABLE diary.route_requests;
DROP TABLE diary.routes;

COMMIT;
