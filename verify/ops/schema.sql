-- Verify trafficsafety:ops/schema on pg
SELECT 'ops'::regnamespace;
