-- Verify trafficsafety:diary/rating_limits on pg
SELECT has_function_privilege('tsdb_owner', 'diary.enforce_rating_limits(uuid, text[])', 'execute');
