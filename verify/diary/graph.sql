-- Verify trafficsafety:diary/graph on pg
SELECT node_id, geom FROM diary.graph_nodes WHERE false;
SELECT edge_id, segment_id, source, target, length_m, x1, y1, x2, y2, geom FROM diary.graph_edges WHERE false;
DO $$ BEGIN ASSERT EXISTS (SELECT FROM diary.settings WHERE key = 'route_max_km'), 'routing settings missing'; END $$;
