-- Verify trafficsafety:api/diary_routes on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['api.create_route(text, text[], boolean)', 'api.rename_route(uuid, text)', 'api.delete_route(uuid)']) f;
SELECT route_id, route_name, is_own, is_public FROM api.routes WHERE false;
