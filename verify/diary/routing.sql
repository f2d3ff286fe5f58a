-- Verify trafficsafety:diary/routing on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['diary.rebuild_graph()', 'diary.lock_graph()',
    'diary.graph_add_segments(text[])', 'diary.graph_edges_deleted()', 'diary.segments_lock_graph()', 'diary.segments_changed_graph()',
    'diary.load_route_edges(numeric, geometry)', 'diary.route_path(bigint, bigint, numeric, geometry, text[], boolean)',
    'diary.route_summary(bigint, bigint, numeric, geometry, text[], boolean)']) f;
DO $$ BEGIN
    ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname IN ('segments_graph_lock', 'segments_graph_insert', 'segments_graph_update',
                                                             'graph_edges_orphans')) = 4, 'graph triggers missing';
    ASSERT NOT EXISTS (SELECT FROM pg_trigger WHERE tgname = 'segments_graph'), 'the per-statement rebuild trigger is still there';
END $$;
