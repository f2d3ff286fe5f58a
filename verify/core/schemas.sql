-- Verify trafficsafety:core/schemas on pg
-- has_schema_privilege raises for a schema that does not exist.
SELECT has_schema_privilege('tsi', 'usage'),
       has_schema_privilege('diary', 'usage'),
       has_schema_privilege('auth', 'usage'),
       has_schema_privilege('analytics', 'usage'),
       has_schema_privilege('audit', 'usage'),
       has_schema_privilege('api', 'usage');
