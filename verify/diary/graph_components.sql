-- Verify trafficsafety:diary/graph_components on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute')
FROM unnest(ARRAY['diary.graph_pieces(text[])', 'diary.snap_route_ends(geometry, geometry, double precision, boolean)']) f;
