-- Verify trafficsafety:api/diary_routing on pg
SELECT has_function_privilege('tsdb_owner', 'api.route(numeric[], numeric[], text, numeric, boolean)', 'execute');
DO $$ BEGIN
    ASSERT (SELECT prosrc LIKE '%snap_route_ends%' FROM pg_proc WHERE oid = 'api.route(numeric[], numeric[], text, numeric, boolean)'::regprocedure),
           'api.route is release 1.0''s (nearest-node snapping)';
END $$;
