-- Verify trafficsafety:diary/settings on pg
SELECT key, value, description FROM diary.settings WHERE false;
SELECT api_tier, action, per_hour FROM diary.write_limits WHERE false;
SELECT has_function_privilege('tsdb_owner', 'diary.setting(text)', 'execute');
