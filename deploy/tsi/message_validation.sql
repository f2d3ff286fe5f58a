-- Deploy trafficsafety:tsi/message_validation to pg
-- Functions that read VCC message JSON safely (a wrong type gives NULL, never an error
-- that would abort a whole batch) and name the first problem of a message.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TYPE tsi.rejection AS (reason text, detail text);
COMMENT ON TYPE tsi.rejection IS 'Why a message is quarantined: a machine-readable reason and a sentence for a person.';

CREATE FUNCTION tsi.json_number(v jsonb)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    -- double precision raises an error for a magnitude it would round to zero (1e-400), which
    -- would abort a whole batch: such a number is 0.
    SELECT CASE WHEN jsonb_typeof(v) = 'number' THEN
                CASE WHEN abs(v::numeric) >= 1e15 THEN NULL
                     WHEN abs(v::numeric) < 1e-300 THEN 0
                     ELSE v::double precision END
           END
$$;
COMMENT ON FUNCTION tsi.json_number(jsonb) IS 'A JSON number as double precision (0 for a magnitude below 1e-300); NULL for anything else (string, null, missing, absurdly large).';

CREATE FUNCTION tsi.json_integer(v jsonb)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN jsonb_typeof(v) = 'number' AND abs(v::numeric) < 1e18 AND v::numeric = trunc(v::numeric)
                THEN v::bigint END
$$;
COMMENT ON FUNCTION tsi.json_integer(jsonb) IS 'A JSON integer as bigint; NULL for anything else (fractions, strings, null, missing).';

CREATE FUNCTION tsi.json_int4(v jsonb)
RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN v >= '-2147483648' AND v <= '2147483647' THEN tsi.json_integer(v)::integer END
$$;
COMMENT ON FUNCTION tsi.json_int4(jsonb) IS 'A JSON integer that fits an integer column; NULL for anything else (an optional field out of range is dropped, not the message).';

CREATE FUNCTION tsi.epoch_ms_to_timestamptz(ms bigint)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT to_timestamp(ms / 1000.0)
$$;
COMMENT ON FUNCTION tsi.epoch_ms_to_timestamptz(bigint) IS 'VCC timestamps are epoch milliseconds (trap 2: not seconds, not microseconds).';

-- Reads a BSM or PSM once: the first problem (in the order below), and when there is none the
-- typed fields the raw tables store. One pass over the JSON: the body's keys are pulled by one
-- jsonb_to_record (as jsonb, so a wrong type is a problem, never an error that would abort the
-- batch) and each is converted once. A SQL set-returning function, so the planner inlines it
-- into land_batch's statement; checking in PL/pgSQL and extracting again for the insert cost
-- about 40 µs a message, this about 10 (make bench). STABLE, not IMMUTABLE: the
-- timestamp_in_future detail renders times in the session's time zone.
CREATE FUNCTION tsi.read_v2x(msg_type text, payload jsonb, received_at timestamptz)
RETURNS TABLE (problem tsi.rejection, ts timestamptz, object_id bigint, msg_cnt smallint, sec_mark integer,
               latitude double precision, longitude double precision, elevation double precision,
               speed double precision, heading double precision, accel_lon double precision,
               accel_lat double precision, wheel_brakes integer, vehicle_length integer, vehicle_width integer,
               basic_type smallint, rsu_name text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT p.problem,
           CASE WHEN p.ok THEN tsi.epoch_ms_to_timestamptz(v.ms) END,
           CASE WHEN p.ok THEN v.id END,
           CASE WHEN p.ok THEN v.msg_cnt::smallint END,
           CASE WHEN p.ok THEN v.sec_mark::integer END,
           CASE WHEN p.ok THEN v.lat END,
           CASE WHEN p.ok THEN v.lon END,
           CASE WHEN p.ok THEN v.elev END,
           CASE WHEN p.ok THEN v.speed END,
           CASE WHEN p.ok THEN v.heading END,
           CASE WHEN p.ok THEN v.accel_lon END,
           CASE WHEN p.ok THEN v.accel_lat END,
           CASE WHEN p.ok THEN v.wheel_brakes END,
           CASE WHEN p.ok THEN v.vehicle_length END,
           CASE WHEN p.ok THEN v.vehicle_width END,
           CASE WHEN p.ok THEN v.basic_type::smallint END,
           CASE WHEN p.ok THEN j.rsu_name END
    -- OFFSET 0 here and below: each step is computed once, not once per reference to its columns.
    FROM (SELECT CASE read_v2x.msg_type WHEN 'bsm' THEN payload -> 'bsmJson' -> 'coreData'
                                        WHEN 'psm' THEN payload -> 'psmJson' END AS body,
                 CASE read_v2x.msg_type WHEN 'bsm' THEN 'bsmJson.coreData' ELSE 'psmJson' END AS kind
          OFFSET 0) AS b
    CROSS JOIN LATERAL jsonb_to_record(CASE WHEN jsonb_typeof(b.body) = 'object' THEN b.body ELSE '{}' END)
        AS f (id jsonb, "msgCnt" jsonb, "secMark" jsonb, lat jsonb, lon jsonb, elev jsonb, speed jsonb, heading jsonb,
              "accelSet" jsonb, brakes jsonb, size jsonb, position jsonb, "basicType" jsonb)
    -- the JSON values, each found once (a BSM's position is in coreData, a PSM's in psmJson.position)
    CROSS JOIN LATERAL (SELECT payload -> 'timestamp' AS ts,
                               CASE read_v2x.msg_type WHEN 'bsm' THEN f.lat ELSE f.position -> 'lat' END AS lat,
                               CASE read_v2x.msg_type WHEN 'bsm' THEN f.lon ELSE f.position -> 'lon' END AS lon,
                               CASE read_v2x.msg_type WHEN 'bsm' THEN f.elev ELSE f.position -> 'elev' END AS elev,
                               f."accelSet" -> 'lon' AS accel_lon, f."accelSet" -> 'lat' AS accel_lat,
                               f.brakes -> 'wheelBrakes' AS wheel_brakes,
                               f.size -> 'length' AS vehicle_length, f.size -> 'width' AS vehicle_width,
                               payload ->> 'rsuName' AS rsu_name
                        OFFSET 0) AS j
    -- and each converted once
    CROSS JOIN LATERAL (SELECT tsi.json_integer(j.ts) AS ms, tsi.json_integer(f.id) AS id,
                               tsi.json_integer(f."msgCnt") AS msg_cnt, tsi.json_integer(f."secMark") AS sec_mark,
                               tsi.json_number(j.lat) AS lat, tsi.json_number(j.lon) AS lon,
                               tsi.json_number(j.elev) AS elev, tsi.json_number(f.speed) AS speed,
                               tsi.json_number(f.heading) AS heading, tsi.json_number(j.accel_lon) AS accel_lon,
                               tsi.json_number(j.accel_lat) AS accel_lat, tsi.json_int4(j.wheel_brakes) AS wheel_brakes,
                               tsi.json_int4(j.vehicle_length) AS vehicle_length,
                               tsi.json_int4(j.vehicle_width) AS vehicle_width,
                               tsi.json_integer(f."basicType") AS basic_type
                        OFFSET 0) AS v
    CROSS JOIN LATERAL (SELECT CASE
        WHEN read_v2x.msg_type IS DISTINCT FROM 'bsm' AND read_v2x.msg_type IS DISTINCT FROM 'psm'
            THEN ('unknown_type', 'msg_type must be bsm, psm, mapdata or spat, got '
                                  || coalesce(quote_literal(read_v2x.msg_type), 'NULL'))::tsi.rejection
        WHEN jsonb_typeof(payload) IS DISTINCT FROM 'object'
            THEN ('not_an_object', CASE read_v2x.msg_type WHEN 'bsm' THEN 'a BSM must be a JSON object (BsmWithMetadata)'
                                                          ELSE 'a PSM must be a JSON object (PsmWithMetadata)' END
                                   -- the collector sends text jsonb cannot hold as a JSON string
                                   || CASE jsonb_typeof(payload)
                                          WHEN 'string' THEN ', got a string: the text as received, not JSON that PostgreSQL can store (malformed, NaN or Infinity, a NUL character, a lone surrogate, a number beyond numeric)'
                                          ELSE ', got ' || coalesce(jsonb_typeof(payload), 'nothing') END)::tsi.rejection
        WHEN read_v2x.msg_type = 'psm' AND f."basicType" <> 'null' AND coalesce(v.basic_type NOT BETWEEN 0 AND 4, true)
            THEN ('invalid_basic_type', 'psmJson.basicType must be 0–4, got ' || f."basicType"::text)::tsi.rejection
        WHEN v.ms IS NULL
            THEN ('invalid_timestamp', 'timestamp must be epoch milliseconds, got '
                                       || coalesce(j.ts::text, 'nothing'))::tsi.rejection
        WHEN v.ms > 100000000000000
            THEN ('invalid_timestamp', 'timestamp ' || v.ms || ' is too large for epoch milliseconds (microseconds?)')::tsi.rejection
        WHEN v.ms < 1420070400000
            THEN ('invalid_timestamp', 'timestamp ' || v.ms || ' is before 2015 (seconds instead of milliseconds?)')::tsi.rejection
        WHEN tsi.epoch_ms_to_timestamptz(v.ms) > received_at + interval '1 hour'
            THEN ('timestamp_in_future', 'timestamp ' || tsi.epoch_ms_to_timestamptz(v.ms)
                                         || ' is more than an hour after receipt (' || received_at || ')')::tsi.rejection
        WHEN jsonb_typeof(b.body) IS DISTINCT FROM 'object'
            THEN ('invalid_structure', b.kind || ' body is missing or not an object')::tsi.rejection
        WHEN v.id IS NULL
            THEN ('missing_id', b.kind || ' id must be an integer, got ' || coalesce(f.id, 'null')::text)::tsi.rejection
        WHEN v.msg_cnt IS NULL OR v.msg_cnt NOT BETWEEN 0 AND 127
            THEN ('invalid_msg_cnt', 'msgCnt must be an integer 0–127, got ' || coalesce(f."msgCnt", 'null')::text)::tsi.rejection
        WHEN v.sec_mark IS NULL OR v.sec_mark NOT BETWEEN 0 AND 65535
            THEN ('invalid_sec_mark', 'secMark must be an integer 0–65535, got ' || coalesce(f."secMark", 'null')::text)::tsi.rejection
        WHEN v.lat IS NULL OR v.lon IS NULL OR v.lat NOT BETWEEN -90 AND 90 OR v.lon NOT BETWEEN -180 AND 180
             OR (v.lat = 0 AND v.lon = 0)
            THEN ('invalid_coordinates', 'lat/lon must be degrees within ±90/±180 (and not 0,0), got '
                  || coalesce(j.lat, 'null')::text || ', ' || coalesce(j.lon, 'null')::text)::tsi.rejection
        WHEN f.speed <> 'null' AND (v.speed IS NULL OR v.speed NOT BETWEEN 0 AND 163.8)
            THEN ('invalid_speed', 'speed must be m/s within 0–163.8 (163.82 is the "unavailable" sentinel), got '
                                   || f.speed::text)::tsi.rejection
        WHEN j.accel_lon <> 'null' AND (v.accel_lon IS NULL OR v.accel_lon NOT BETWEEN -20 AND 20)
            THEN ('invalid_accel', 'accelSet.lon must be m/s² within ±20 (20.01 is the "unavailable" sentinel), got '
                                   || j.accel_lon::text)::tsi.rejection
        END AS problem OFFSET 0) AS c
    -- a composite's IS NULL looks at every field: tested once here, not once per column above
    CROSS JOIN LATERAL (SELECT c.problem, c.problem IS NULL AS ok OFFSET 0) AS p
$$;
COMMENT ON FUNCTION tsi.read_v2x(text, jsonb, timestamptz) IS
    'Reads a BSM (msg_type bsm, BsmWithMetadata) or PSM (psm, PsmWithMetadata) received at received_at: problem is the first thing wrong with it (timestamp, id, msgCnt, secMark, position, speed, acceleration, basicType; NULL when valid); the other columns are its typed fields (speeds m/s, accelerations m/s², sizes cm), NULL when it has a problem.';

CREATE FUNCTION tsi.check_bsm(payload jsonb, received_at timestamptz)
RETURNS tsi.rejection
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT r.problem FROM tsi.read_v2x('bsm', payload, received_at) AS r
$$;
COMMENT ON FUNCTION tsi.check_bsm(jsonb, timestamptz) IS 'Why a BsmWithMetadata message is invalid, or NULL when it is valid.';

CREATE FUNCTION tsi.check_psm(payload jsonb, received_at timestamptz)
RETURNS tsi.rejection
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT r.problem FROM tsi.read_v2x('psm', payload, received_at) AS r
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
