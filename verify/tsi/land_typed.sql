-- Verify trafficsafety:tsi/land_typed on pg
SELECT has_function_privilege('tsi.typed_plain(text, timestamptz, timestamptz, bigint, bigint, bigint, double precision, double precision, double precision, double precision, double precision, double precision, double precision, bigint, bigint, bigint, bigint)', 'execute'),
       has_function_privilege('tsi.number_kept(double precision)', 'execute'),
       has_function_privilege('tsi.land_typed_begin()', 'execute'),
       has_function_privilege('tsi.typed_refused()', 'execute'),
       has_function_privilege('tsi.land_typed(uuid, integer, integer, integer, integer, integer)', 'execute');
-- the refused count reaches tsi.land_typed (a typed landing without it raises)
SELECT 1 / (position('tsi.typed_refused' IN prosrc) > 0)::integer
FROM pg_proc WHERE oid = 'tsi.land_typed(uuid, integer, integer, integer, integer, integer)'::regprocedure;
