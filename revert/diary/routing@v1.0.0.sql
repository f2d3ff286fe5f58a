-- Revert trafficsafety:diary/routing from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.route_summary(bigint, bigint, numeric, geometry, text[], boolean);
DROP FUNCTION diary.route_path(bigint, bigint, numeric, geometry, text[], boolean);
DROP FUNCTION diary.load_route_edges(numeric, geometry);
DROP TRIGGER segments_graph ON diary.segments;
DROP FUNCTION diary.segments_changed_graph();
DROP FUNCTION diary.rebuild_graph();

COMMIT;
