-- Verify trafficsafety:api/diary_charts on pg
SELECT has_function_privilege('tsdb_owner', f, 'execute') FROM unnest(ARRAY['diary.visible_route_segments(uuid)',
    'api.route_trend(uuid, integer)', 'api.route_tags(uuid, integer)', 'api.coverage(text, numeric)']) f;
