-- Deploy trafficsafety:tsi/spat to pg
-- Signal phase and timing as the collector receives it (the `spat` endpoint's strings, parsed):
-- one row per intersection state, de-duplicated by (time, intersection), kept three days like
-- the other raw messages. Not used by the indices yet; landed so nothing accepted is lost.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.spat_messages (
    spat_time        timestamptz NOT NULL,
    intersection_id  integer NOT NULL CHECK (intersection_id BETWEEN 0 AND 65535),
    revision         smallint,
    received_at      timestamptz NOT NULL,
    states           jsonb NOT NULL,
    PRIMARY KEY (spat_time, intersection_id)
) PARTITION BY RANGE (spat_time);
COMMENT ON TABLE tsi.spat_messages IS 'Landed SPaT intersection states (signal groups and their event states), de-duplicated; kept while the raw messages are.';
COMMENT ON COLUMN tsi.spat_messages.spat_time IS 'moy (minute of the year of receipt) + timeStamp (ms in the minute); the receipt second when they are missing.';
COMMENT ON COLUMN tsi.spat_messages.states IS 'The states[] array: signalGroup, stateTimeSpeed[] with eventState (3 red, 6 protected green, 8 yellow) and timing.';

CREATE TABLE tsi.spat_messages_default PARTITION OF tsi.spat_messages DEFAULT;
COMMENT ON TABLE tsi.spat_messages_default IS 'Catches rows outside every daily partition: must stay empty.';

INSERT INTO tsi.partition_policy (parent, keep, drop_rule) VALUES ('tsi.spat_messages', interval '3 days', 'age');
DO $$ BEGIN PERFORM tsi.create_daily_partitions('tsi.spat_messages', current_date - 2, current_date + 7); END $$;

CREATE FUNCTION tsi.check_spat(payload jsonb)
RETURNS tsi.rejection
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN jsonb_typeof(payload -> 'intersections') IS DISTINCT FROM 'array'
            THEN ('invalid_spat', 'SPaT must have an intersections array')::tsi.rejection
        WHEN EXISTS (
            SELECT FROM jsonb_array_elements(payload -> 'intersections') AS i
            WHERE tsi.json_integer(i -> 'id' -> 'id') IS NULL
               OR tsi.json_integer(i -> 'id' -> 'id') NOT BETWEEN 0 AND 65535
               OR coalesce(tsi.json_integer(i -> 'moy') NOT BETWEEN 0 AND 527040, false)
               OR coalesce(tsi.json_integer(i -> 'timeStamp') NOT BETWEEN 0 AND 65535, false)
               OR jsonb_typeof(i -> 'states') IS DISTINCT FROM 'array')
            THEN ('invalid_spat', 'every SPaT intersection needs id.id 0–65535 and a states array; moy 0–527040 and timeStamp 0–65535 when given')::tsi.rejection
    END
$$;
COMMENT ON FUNCTION tsi.check_spat(jsonb) IS 'Why a SPaT message is invalid, or NULL when it is valid.';

CREATE FUNCTION tsi.spat_time(moy bigint, time_stamp bigint, received_at timestamptz)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN moy IS NULL THEN date_trunc('second', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
        ELSE (SELECT CASE WHEN t > received_at + interval '1 day' THEN t - interval '1 year' ELSE t END
              FROM (SELECT (date_trunc('year', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')
                           + make_interval(mins => moy::integer)
                           + make_interval(secs => coalesce(least(time_stamp, 59999), 0) / 1000.0) AS t) AS x)
    END
$$;
COMMENT ON FUNCTION tsi.spat_time(bigint, bigint, timestamptz) IS
    'Time of a SPaT state from its minute of the year and millisecond in the minute, in the year of receipt (the previous year just after New Year); the receipt second without them.';

COMMIT;
