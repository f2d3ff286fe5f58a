-- Deploy trafficsafety:tsi/local_time to pg
-- Local hour and day of week of an instant: the one convention of every local-time column.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION tsi.local_hour(t timestamptz, time_zone text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT extract(hour FROM t AT TIME ZONE time_zone)::integer $$;
COMMENT ON FUNCTION tsi.local_hour(timestamptz, text) IS 'Hour of day 0–23 of an instant in a time zone.';

CREATE FUNCTION tsi.local_day_of_week(t timestamptz, time_zone text)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT extract(isodow FROM t AT TIME ZONE time_zone)::integer - 1 $$;
COMMENT ON FUNCTION tsi.local_day_of_week(timestamptz, text) IS
    'Day of week of an instant in a time zone: 0 = Monday … 6 = Sunday (the one convention used everywhere).';

COMMIT;
