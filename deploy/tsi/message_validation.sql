-- Deploy trafficsafety:tsi/message_validation to pg
-- Pure functions that read VCC message JSON safely (a wrong type gives NULL, never an error
-- that would abort a whole batch) and name the first problem of a message.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TYPE tsi.rejection AS (reason text, detail text);
COMMENT ON TYPE tsi.rejection IS 'Why a message is quarantined: a machine-readable reason and a sentence for a person.';

CREATE FUNCTION tsi.json_number(v jsonb)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(v) = 'number' AND abs(v::numeric) < 1e15 THEN v::double precision END
$$;
COMMENT ON FUNCTION tsi.json_number(jsonb) IS 'A JSON number as double precision; NULL for anything else (string, null, missing, absurdly large).';

CREATE FUNCTION tsi.json_integer(v jsonb)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(v) = 'number' AND abs(v::numeric) < 1e18 AND v::numeric = trunc(v::numeric)
                THEN v::numeric::bigint END
$$;
COMMENT ON FUNCTION tsi.json_integer(jsonb) IS 'A JSON integer as bigint; NULL for anything else (fractions, strings, null, missing).';

CREATE FUNCTION tsi.json_int4(v jsonb)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN tsi.json_integer(v) BETWEEN -2147483648 AND 2147483647 THEN tsi.json_integer(v)::integer END
$$;
COMMENT ON FUNCTION tsi.json_int4(jsonb) IS 'A JSON integer that fits an integer column; NULL for anything else (an optional field out of range is dropped, not the message).';

CREATE FUNCTION tsi.epoch_ms_to_timestamptz(ms bigint)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT to_timestamp(ms / 1000.0)
$$;
COMMENT ON FUNCTION tsi.epoch_ms_to_timestamptz(bigint) IS 'VCC timestamps are epoch milliseconds (trap 2: not seconds, not microseconds).';

-- Problems common to BSM and PSM: envelope timestamp, id, counters, position, speed.
-- ts_ms is the envelope timestamp; body the coreData or psmJson object; pos the object that
-- holds lat and lon.
-- PL/pgSQL reading each field once: the same rules as one SQL CASE evaluated every JSON path
-- repeatedly and cost 220 µs a message (measured by make bench); this is about ten times faster.
CREATE FUNCTION tsi.check_v2x(kind text, ts_ms jsonb, body jsonb, pos jsonb, received_at timestamptz)
RETURNS tsi.rejection
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    ms bigint := tsi.json_integer(ts_ms);
    msg_cnt bigint;
    sec_mark bigint;
    lat double precision := tsi.json_number(pos -> 'lat');
    lon double precision := tsi.json_number(pos -> 'lon');
    speed jsonb;
    accel jsonb;
BEGIN
    IF ms IS NULL THEN
        RETURN ('invalid_timestamp'::text, format('timestamp must be epoch milliseconds, got %s', coalesce(ts_ms::text, 'nothing')));
    ELSIF ms > 100000000000000 THEN
        RETURN ('invalid_timestamp'::text, format('timestamp %s is too large for epoch milliseconds (microseconds?)', ts_ms));
    ELSIF ms < 1420070400000 THEN
        RETURN ('invalid_timestamp'::text, format('timestamp %s is before 2015 (seconds instead of milliseconds?)', ts_ms));
    ELSIF tsi.epoch_ms_to_timestamptz(ms) > received_at + interval '1 hour' THEN
        RETURN ('timestamp_in_future'::text, format('timestamp %s is more than an hour after receipt (%s)',
                                              tsi.epoch_ms_to_timestamptz(ms), received_at));
    ELSIF jsonb_typeof(body) IS DISTINCT FROM 'object' THEN
        RETURN ('invalid_structure'::text, format('%s body is missing or not an object', kind));
    ELSIF tsi.json_integer(body -> 'id') IS NULL THEN
        RETURN ('missing_id'::text, format('%s id must be an integer, got %s', kind, coalesce(body -> 'id', 'null')));
    END IF;
    msg_cnt := tsi.json_integer(body -> 'msgCnt');
    sec_mark := tsi.json_integer(body -> 'secMark');
    speed := body -> 'speed';
    accel := body -> 'accelSet' -> 'lon';
    IF msg_cnt IS NULL OR msg_cnt NOT BETWEEN 0 AND 127 THEN
        RETURN ('invalid_msg_cnt'::text, format('msgCnt must be an integer 0–127, got %s', coalesce(body -> 'msgCnt', 'null')));
    ELSIF sec_mark IS NULL OR sec_mark NOT BETWEEN 0 AND 65535 THEN
        RETURN ('invalid_sec_mark'::text, format('secMark must be an integer 0–65535, got %s', coalesce(body -> 'secMark', 'null')));
    ELSIF lat IS NULL OR lon IS NULL OR lat NOT BETWEEN -90 AND 90 OR lon NOT BETWEEN -180 AND 180
          OR (lat = 0 AND lon = 0) THEN
        RETURN ('invalid_coordinates'::text, format('lat/lon must be degrees within ±90/±180 (and not 0,0), got %s, %s',
                                              coalesce(pos -> 'lat', 'null'), coalesce(pos -> 'lon', 'null')));
    ELSIF jsonb_typeof(speed) <> 'null'
          AND (tsi.json_number(speed) IS NULL OR tsi.json_number(speed) NOT BETWEEN 0 AND 163.8) THEN
        RETURN ('invalid_speed'::text, format('speed must be m/s within 0–163.8 (163.82 is the "unavailable" sentinel), got %s', speed));
    ELSIF jsonb_typeof(accel) <> 'null'
          AND (tsi.json_number(accel) IS NULL OR tsi.json_number(accel) NOT BETWEEN -20 AND 20) THEN
        RETURN ('invalid_accel'::text, format('accelSet.lon must be m/s² within ±20 (20.01 is the "unavailable" sentinel), got %s', accel));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION tsi.check_v2x(text, jsonb, jsonb, jsonb, timestamptz) IS
    'First problem of a BSM or PSM (timestamp, id, msgCnt, secMark, position, speed, acceleration), or NULL when it is valid.';

CREATE FUNCTION tsi.check_bsm(payload jsonb, received_at timestamptz)
RETURNS tsi.rejection
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN jsonb_typeof(payload) IS DISTINCT FROM 'object'
            THEN ('not_an_object', 'a BSM must be a JSON object (BsmWithMetadata)')::tsi.rejection
        ELSE tsi.check_v2x('bsmJson.coreData', payload -> 'timestamp', payload -> 'bsmJson' -> 'coreData',
                           payload -> 'bsmJson' -> 'coreData', received_at)
    END
$$;
COMMENT ON FUNCTION tsi.check_bsm(jsonb, timestamptz) IS 'Why a BsmWithMetadata message is invalid, or NULL when it is valid.';

CREATE FUNCTION tsi.check_psm(payload jsonb, received_at timestamptz)
RETURNS tsi.rejection
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN jsonb_typeof(payload) IS DISTINCT FROM 'object'
            THEN ('not_an_object', 'a PSM must be a JSON object (PsmWithMetadata)')::tsi.rejection
        WHEN jsonb_typeof(payload -> 'psmJson' -> 'basicType') NOT IN ('null')
             AND coalesce(tsi.json_integer(payload -> 'psmJson' -> 'basicType') NOT BETWEEN 0 AND 4, true)
            THEN ('invalid_basic_type', format('psmJson.basicType must be 0–4, got %s', payload -> 'psmJson' -> 'basicType'))::tsi.rejection
        ELSE tsi.check_v2x('psmJson', payload -> 'timestamp', payload -> 'psmJson',
                           payload -> 'psmJson' -> 'position', received_at)
    END
$$;
COMMENT ON FUNCTION tsi.check_psm(jsonb, timestamptz) IS 'Why a PsmWithMetadata message is invalid, or NULL when it is valid.';

CREATE FUNCTION tsi.check_mapdata(payload jsonb)
RETURNS tsi.rejection
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN jsonb_typeof(payload -> 'intersections') IS DISTINCT FROM 'array'
            THEN ('invalid_mapdata', 'decoded MapData must have an intersections array')::tsi.rejection
        WHEN EXISTS (
            SELECT FROM jsonb_array_elements(payload -> 'intersections') AS i
            WHERE tsi.json_integer(i -> 'id' -> 'id') IS NULL
               OR tsi.json_integer(i -> 'id' -> 'id') NOT BETWEEN 0 AND 65535
               OR coalesce(tsi.json_integer(i -> 'id' -> 'region') NOT BETWEEN 0 AND 65535, false)
               OR coalesce(tsi.json_integer(i -> 'revision') NOT BETWEEN 0 AND 127, false)
               OR tsi.json_number(i -> 'refPoint' -> 'lat') IS NULL
               OR tsi.json_number(i -> 'refPoint' -> 'lon') IS NULL
               OR tsi.json_number(i -> 'refPoint' -> 'lat') NOT BETWEEN -90 AND 90
               OR tsi.json_number(i -> 'refPoint' -> 'lon') NOT BETWEEN -180 AND 180)
            THEN ('invalid_mapdata', 'every MapData intersection needs id.id 0–65535, refPoint lat/lon in range, and region 0–65535 and revision 0–127 when given')::tsi.rejection
    END
$$;
COMMENT ON FUNCTION tsi.check_mapdata(jsonb) IS 'Why a decoded MapData message is invalid, or NULL when it is valid.';

COMMIT;
