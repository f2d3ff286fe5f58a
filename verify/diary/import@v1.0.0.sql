-- Verify trafficsafety:diary/import on pg
SELECT has_function_privilege('tsdb_owner', 'diary.import_segments(jsonb)', 'execute');
