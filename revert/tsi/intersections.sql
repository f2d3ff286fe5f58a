-- Revert trafficsafety:tsi/intersections from pg
-- Back to release 1.0 (tsi/intersections@v1.0.0): the zone database read for every row.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION tsi.intersections_before_write()
RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
        RAISE EXCEPTION 'time_zone: unknown time zone "%"', NEW.time_zone
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use an IANA name such as America/New_York.';
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsi.intersections_before_write() IS
    'Trigger of tsi.intersections: rejects unknown time zones and maintains updated_at.';

COMMIT;
