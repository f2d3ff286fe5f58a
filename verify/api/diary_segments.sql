-- Verify trafficsafety:api/diary_segments on pg
SELECT has_function_privilege('tsdb_owner', 'api.segments(text, numeric, timestamptz)', 'execute');
SELECT tag, description FROM api.diary_tags WHERE false;
