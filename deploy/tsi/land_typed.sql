-- Deploy trafficsafety:tsi/land_typed to pg
-- The fast way in for BSM and PSM (issue 19): the collector types the fields with Arrow's JSON
-- reader and copies them without the message text straight into the landing's rows
-- (pg_temp.land_rows), so the database neither parses the JSON nor converts it field by field,
-- nor moves the rows once more before landing them (make bench: each of these was a large part
-- of a landing's cost). A row whose typed fields are plainly valid lands as it is. Any other row
-- is refused (tsi.typed_refused takes it out): the collector stages that message's text in
-- tsi.message_staging under the batch id, and it is read there by tsi.land_rows_read_json, the
-- one reader of a message's problems, exactly as tsi.land_batch reads it. The plain test may
-- refuse more than tsi.read_v2x does, never less: a refused row only takes the slower reader.
--   CALL tsi.land_typed_begin();
--   COPY pg_temp.land_rows (ord, msg_type, received_at, ts_ms, object_id, …) FROM STDIN;
--   SELECT tsi.typed_refused();  -- then COPY their texts into tsi.message_staging
--   CALL tsi.land_typed(batch);
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Whether tsi.json_number gives a number as it is: 0, or a magnitude within (1e-300, 1e15). The
-- bounds are strict on the double, so that no text json_number zeroes or drops rounds into them.
CREATE FUNCTION tsi.number_kept(x double precision)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT x IS NULL OR x = 0 OR abs(x) > 1e-300 AND abs(x) < 1e15
$$;
COMMENT ON FUNCTION tsi.number_kept(double precision) IS
    'True when a JSON number read as this double is what tsi.json_number gives for it (0, or a magnitude strictly within 1e-300 and 1e15), or NULL.';

-- Whether a typed row is plainly valid, so that tsi.read_v2x of its message would find no problem
-- and give these very values: every check of read_v2x on the typed value, numbers tsi.json_number
-- keeps as they are, integers within what tsi.json_integer and tsi.json_int4 keep. ts is the
-- time pg_temp.land_rows makes of the milliseconds (NULL outside read_v2x's bounds). Plain
-- comparisons only (no arrays): it runs for every landed row (make bench).
CREATE FUNCTION tsi.typed_plain(msg_type text, received_at timestamptz, ts timestamptz, object_id bigint,
                                msg_cnt bigint, sec_mark bigint, latitude double precision,
                                longitude double precision, elevation double precision, speed double precision,
                                heading double precision, accel_lon double precision, accel_lat double precision,
                                wheel_brakes bigint, vehicle_length bigint, vehicle_width bigint, basic_type bigint)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT msg_type IN ('bsm', 'psm')
       AND ts <= received_at + interval '1 hour'
       AND abs(object_id) < 1000000000000000000
       AND msg_cnt BETWEEN 0 AND 127
       AND sec_mark BETWEEN 0 AND 65535
       AND latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180
       AND NOT (latitude = 0 AND longitude = 0)
       AND coalesce(speed BETWEEN 0 AND 163.8, true)
       AND coalesce(accel_lon BETWEEN -20 AND 20, true)
       AND CASE msg_type WHEN 'psm' THEN coalesce(basic_type BETWEEN 0 AND 4, true) ELSE basic_type IS NULL END
       AND tsi.number_kept(latitude) AND tsi.number_kept(longitude) AND tsi.number_kept(elevation)
       AND tsi.number_kept(speed) AND tsi.number_kept(heading) AND tsi.number_kept(accel_lon)
       AND tsi.number_kept(accel_lat)
       AND coalesce(wheel_brakes BETWEEN -2147483648 AND 2147483647, true)
       AND coalesce(vehicle_length BETWEEN -2147483648 AND 2147483647, true)
       AND coalesce(vehicle_width BETWEEN -2147483648 AND 2147483647, true)
$$;
COMMENT ON FUNCTION tsi.typed_plain(text, timestamptz, timestamptz, bigint, bigint, bigint, double precision,
                                    double precision, double precision, double precision, double precision,
                                    double precision, double precision, bigint, bigint, bigint, bigint) IS
    'True when a typed BSM/PSM row is plainly valid: tsi.read_v2x of its message would find no problem and give the same values. '
    'False (or NULL): the row is refused and its message read from its text.';

-- The start of a typed landing: the session's empty pg_temp.land_rows, which the collector may
-- fill (it is made by, and belongs to, the landing's owner).
CREATE PROCEDURE tsi.land_typed_begin()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
AS $$
BEGIN
    CALL land_rows_prepare();
    IF NOT has_table_privilege('collector', 'pg_temp.land_rows', 'INSERT') THEN
        GRANT INSERT ON pg_temp.land_rows TO collector;
    END IF;
    PERFORM set_config('tsi.typed_refused', '', true);
END
$$;
COMMENT ON PROCEDURE tsi.land_typed_begin() IS
    'Starts a typed landing: empties the session''s pg_temp.land_rows for the collector to COPY the typed BSM/PSM rows into '
    '(ord, msg_type, received_at, ts_ms, object_id, msg_cnt, sec_mark, latitude, longitude, elevation, speed, heading, accel_lon, '
    'accel_lat, wheel_brakes, vehicle_length, vehicle_width, basic_type, rsu_name; ord: distinct numbers, NULL where a field is absent); '
    'then SELECT tsi.typed_refused() and CALL tsi.land_typed(batch).';

CREATE FUNCTION tsi.typed_refused()
RETURNS SETOF bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
AS $$
DECLARE
    refused integer;
BEGIN
    IF to_regclass('pg_temp.land_rows') IS NULL THEN
        RAISE EXCEPTION 'no typed landing was begun in this session' USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'CALL tsi.land_typed_begin() and COPY the typed rows into pg_temp.land_rows first.';
    END IF;
    RETURN QUERY
        DELETE FROM pg_temp.land_rows AS r
        WHERE NOT coalesce(typed_plain(r.msg_type, r.received_at, r.ts, r.object_id, r.msg_cnt, r.sec_mark, r.latitude,
                                       r.longitude, r.elevation, r.speed, r.heading, r.accel_lon, r.accel_lat,
                                       r.wheel_brakes, r.vehicle_length, r.vehicle_width, r.basic_type), false)
        RETURNING r.ord;
    GET DIAGNOSTICS refused = ROW_COUNT;
    -- how many texts tsi.land_typed must find, for this transaction only
    PERFORM set_config('tsi.typed_refused', refused::text, true);
END
$$;
COMMENT ON FUNCTION tsi.typed_refused() IS
    'Takes the rows of a typed landing (pg_temp.land_rows) that are not plainly valid (tsi.typed_plain) out and returns their ord: '
    'the collector stages those messages'' text in tsi.message_staging under the batch id before CALL tsi.land_typed.';

CREATE PROCEDURE tsi.land_typed(
    batch uuid,
    INOUT received integer DEFAULT NULL,
    INOUT landed integer DEFAULT NULL,
    INOUT duplicates integer DEFAULT NULL,
    INOUT quarantined integer DEFAULT NULL,
    INOUT unassigned integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    refused integer := nullif(current_setting('tsi.typed_refused', true), '')::integer;
    last_ord bigint;
    texts integer;
BEGIN
    IF batch IS NULL THEN
        RAISE EXCEPTION 'batch must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF refused IS NULL THEN
        RAISE EXCEPTION 'typed batch %: its rows were not checked in this transaction', batch
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'CALL tsi.land_typed_begin(), COPY the rows into pg_temp.land_rows and SELECT tsi.typed_refused() first.';
    END IF;
    PERFORM set_config('tsi.typed_refused', '', true);
    -- The refused rows' messages, read from their text as tsi.land_batch reads them, numbered
    -- after the typed rows.
    last_ord := CASE WHEN refused > 0 THEN (SELECT max(ord) FROM pg_temp.land_rows) END;
    CALL land_rows_read_json(batch, coalesce(last_ord, 0), texts);
    IF texts <> refused THEN
        RAISE EXCEPTION 'typed batch %: % rows were refused, % message texts were staged for them', batch, refused, texts
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Stage the text of each row tsi.typed_refused returns in tsi.message_staging under the same batch id.';
    END IF;
    CALL land_rows_move(batch, received, landed, duplicates, quarantined, unassigned);
END
$$;
COMMENT ON PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer) IS
    'Lands a typed batch as tsi.land_batch lands one from tsi.message_staging: the plainly valid BSM/PSM rows the collector copied into pg_temp.land_rows '
    'with their typed fields, the refused ones (tsi.typed_refused) from the text staged for them in tsi.message_staging under `batch` '
    '(quarantined with its reason, or landed). Same counts, same de-duplication; a repeated landing lands nothing twice. '
    'Raises, landing nothing, when the rows were not checked by tsi.typed_refused in this transaction or the staged texts do not match the refused rows.';

COMMIT;
