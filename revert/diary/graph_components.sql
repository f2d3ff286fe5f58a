-- Revert trafficsafety:diary/graph_components from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION diary.graph_pieces(text[]);
DROP FUNCTION diary.snap_route_ends(geometry, geometry, double precision, boolean);

COMMIT;
