-- Verify trafficsafety:tsi/land_batch on pg
SELECT 1 / (position('ANALYZE pg_temp.land_rows' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.land_batch(uuid, integer, integer, integer, integer, integer)'::regprocedure;
