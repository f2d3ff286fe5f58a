-- Verify trafficsafety:tsi/land_batch on pg
SELECT 1 / (position('CALL land_rows_read_json' IN prosrc) > 0 AND position('CALL land_rows_move' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.land_batch(uuid, integer, integer, integer, integer, integer)'::regprocedure;
SELECT 1 / (position('ANALYZE pg_temp.land_rows' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.land_rows_move(uuid, integer, integer, integer, integer, integer)'::regprocedure;
SELECT 'tsi.land_rows_prepare()'::regprocedure, 'tsi.land_rows_read_json(uuid, bigint, integer)'::regprocedure;
