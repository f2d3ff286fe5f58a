-- Deploy trafficsafety:tsi/intersections to pg
-- The time-zone check of tsi.intersections, as fast as the rows it guards. pg_timezone_names
-- reads the server's zone files on every call (about 30 ms): as the trigger of every row of a
-- MapData upsert (BEFORE INSERT fires for rows that then conflict too) it cost 3 s per batch of
-- 100 intersections. A name it found is remembered for the session (the setting
-- tsi.known_time_zones; an aborted transaction forgets what it added); an unknown one is still
-- refused with the same error.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION tsi.intersections_before_write()
RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
    known text := coalesce(current_setting('tsi.known_time_zones', true), '');
BEGIN
    -- zone names hold no spaces: the setting is a space-separated list
    IF NOT NEW.time_zone = ANY (string_to_array(known, ' ')) THEN
        IF NOT EXISTS (SELECT FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
            RAISE EXCEPTION 'time_zone: unknown time zone "%"', NEW.time_zone
                USING ERRCODE = 'invalid_parameter_value',
                      HINT = 'Use an IANA name such as America/New_York.';
        END IF;
        PERFORM set_config('tsi.known_time_zones', ltrim(known || ' ' || NEW.time_zone), false);
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION tsi.intersections_before_write() IS
    'Trigger of tsi.intersections: rejects time zones the server''s zone database does not name (names found are remembered for the session in tsi.known_time_zones) and maintains updated_at.';

COMMIT;
