-- Deploy trafficsafety:tsi/grants to pg
-- Design document §10.1, adapted: the collector can only land messages (COPY into staging,
-- CALL tsi.land_batch); analysts read the tsi tables (default privileges) and run the pure
-- and read-only functions; nothing is granted to PUBLIC.
BEGIN;

GRANT INSERT ON tsi.message_staging TO collector;
GRANT EXECUTE ON PROCEDURE tsi.land_batch(uuid, integer, integer, integer, integer, integer) TO collector;

GRANT EXECUTE ON FUNCTION
    tsi.json_number(jsonb), tsi.json_integer(jsonb), tsi.json_int4(jsonb), tsi.epoch_ms_to_timestamptz(bigint),
    tsi.read_v2x(text, jsonb, timestamptz), tsi.check_bsm(jsonb, timestamptz),
    tsi.check_psm(jsonb, timestamptz), tsi.check_mapdata(jsonb), tsi.check_spat(jsonb),
    tsi.spat_time(bigint, bigint, timestamptz),
    tsi.local_hour(timestamptz, text), tsi.local_day_of_week(timestamptz, text),
    tsi.window_features(timestamptz, timestamptz, integer),
    tsi.nearest_intersection(double precision, double precision, double precision),
    tsi.nearest_intersections(double precision[], double precision[], double precision[]),
    tsi.partition_name(regclass, date)
TO analyst;

COMMIT;
