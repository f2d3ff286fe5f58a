-- Verify trafficsafety:tsi/index_functions on pg
SELECT 1 / (position('float8larger' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.clip_index(float8)'::regprocedure;
SELECT 1 / (tsi.clip_index(-1) = 0 AND tsi.clip_index(101) = 100 AND tsi.clip_index(NULL) IS NULL)::integer;
