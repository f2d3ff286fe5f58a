-- Revert trafficsafety:tsi/land_typed from pg
BEGIN;

DROP PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer);
DROP FUNCTION tsi.typed_refused();
DROP PROCEDURE tsi.land_typed_begin();
DROP FUNCTION tsi.typed_plain(text, timestamptz, timestamptz, bigint, bigint, bigint, double precision, double precision, double precision, double precision, double precision, double precision, double precision, bigint, bigint, bigint, bigint);
DROP FUNCTION tsi.number_kept(double precision);

COMMIT;
