-- Verify trafficsafety:diary/routing on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['diary.rebuild_graph()', 'diary.segments_changed_graph()',
    'diary.load_route_edges(numeric, geometry)', 'diary.route_path(bigint, bigint, numeric, geometry, text[], boolean)',
    'diary.route_summary(bigint, bigint, numeric, geometry, text[], boolean)']) f;
DO $$ BEGIN ASSERT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'segments_graph'), 'graph trigger missing'; END $$;
