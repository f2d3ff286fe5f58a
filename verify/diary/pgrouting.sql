-- Verify trafficsafety:diary/pgrouting on pg
SELECT has_function_privilege('pgr_version()', 'execute');
