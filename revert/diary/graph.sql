-- Revert trafficsafety:diary/graph from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DELETE FROM diary.settings WHERE key IN ('snap_tolerance_m', 'route_max_km', 'route_snap_max_m', 'route_search_margin_m');
DROP TABLE diary.graph_edges;
DROP TABLE diary.graph_nodes;

COMMIT;
