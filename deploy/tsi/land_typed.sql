-- Deploy trafficsafety:tsi/land_typed to pg
-- The fast way in for BSM and PSM (issue 19): the collector types the fields with Arrow's JSON
-- reader and copies them without the message text, so the database neither parses the JSON nor
-- converts it field by field, and the COPY carries a fifth of the bytes (make bench: the JSON
-- was most of a landing's cost). A row whose typed fields are plainly valid lands as it is. Any
-- other row is refused (tsi.typed_refused): the collector stages that message's text in
-- tsi.message_staging under the same batch, and it is read there by tsi.land_rows_read_json,
-- the one reader of a message's problems, exactly as tsi.land_batch reads it. The plain test
-- may refuse more than tsi.read_v2x does, never less: a refused row only takes the slower reader.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- COPY target of the typed path. Unlogged, as tsi.message_staging: copied and landed in one
-- transaction.
CREATE UNLOGGED TABLE tsi.typed_staging (
    batch_id        uuid NOT NULL,
    ord             integer NOT NULL,
    msg_type        text NOT NULL CHECK (msg_type IN ('bsm', 'psm')),
    received_at     timestamptz NOT NULL,
    ts_ms           bigint,
    object_id       bigint,
    msg_cnt         bigint,
    sec_mark        bigint,
    latitude        double precision,
    longitude       double precision,
    elevation       double precision,
    speed           double precision,
    heading         double precision,
    accel_lon       double precision,
    accel_lat       double precision,
    wheel_brakes    bigint,
    vehicle_length  bigint,
    vehicle_width   bigint,
    basic_type      bigint,
    rsu_name        text
);
CREATE INDEX idx_typed_staging_batch ON tsi.typed_staging (batch_id);
COMMENT ON TABLE tsi.typed_staging IS
    'COPY target of the collector''s typed path: one row per BSM or PSM of a batch (ord: its place in the batch) with the fields its reader typed '
    '(NULL where absent or null), moved out by CALL tsi.land_typed(batch_id).';

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
-- keeps as they are, integers within what tsi.json_integer and tsi.json_int4 keep. Plain
-- comparisons only (no arrays): it runs for every landed row (make bench).
CREATE FUNCTION tsi.typed_plain(r tsi.typed_staging)
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT r.ts_ms BETWEEN 1420070400000 AND 100000000000000
       AND tsi.epoch_ms_to_timestamptz(r.ts_ms) <= r.received_at + interval '1 hour'
       AND abs(r.object_id) < 1000000000000000000
       AND r.msg_cnt BETWEEN 0 AND 127
       AND r.sec_mark BETWEEN 0 AND 65535
       AND r.latitude BETWEEN -90 AND 90 AND r.longitude BETWEEN -180 AND 180
       AND NOT (r.latitude = 0 AND r.longitude = 0)
       AND coalesce(r.speed BETWEEN 0 AND 163.8, true)
       AND coalesce(r.accel_lon BETWEEN -20 AND 20, true)
       AND CASE r.msg_type WHEN 'psm' THEN coalesce(r.basic_type BETWEEN 0 AND 4, true) ELSE r.basic_type IS NULL END
       AND tsi.number_kept(r.latitude) AND tsi.number_kept(r.longitude) AND tsi.number_kept(r.elevation)
       AND tsi.number_kept(r.speed) AND tsi.number_kept(r.heading) AND tsi.number_kept(r.accel_lon)
       AND tsi.number_kept(r.accel_lat)
       AND coalesce(r.wheel_brakes BETWEEN -2147483648 AND 2147483647, true)
       AND coalesce(r.vehicle_length BETWEEN -2147483648 AND 2147483647, true)
       AND coalesce(r.vehicle_width BETWEEN -2147483648 AND 2147483647, true)
$$;
COMMENT ON FUNCTION tsi.typed_plain(tsi.typed_staging) IS
    'True when a typed BSM/PSM row is plainly valid: tsi.read_v2x of its message would find no problem and give the same values. '
    'False (or NULL): the row is refused and its message read from its text.';

CREATE FUNCTION tsi.typed_refused(batch uuid)
RETURNS SETOF integer
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
AS $$
    SELECT s.ord FROM tsi.typed_staging AS s
    WHERE s.batch_id = batch AND NOT coalesce(typed_plain(s), false)
    ORDER BY s.ord
$$;
COMMENT ON FUNCTION tsi.typed_refused(uuid) IS
    'The places (ord) of the rows of a typed batch that are not plainly valid (tsi.typed_plain): the collector stages their messages'' text in '
    'tsi.message_staging under the same batch id before CALL tsi.land_typed.';

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
    plain integer;
    refused integer;
    texts integer;
BEGIN
    IF batch IS NULL THEN
        RAISE EXCEPTION 'batch must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CALL land_rows_prepare();
    WITH taken AS (
        DELETE FROM tsi.typed_staging AS s WHERE s.batch_id = batch
        RETURNING s.*, coalesce(typed_plain(s), false) AS plain
    ), radii AS MATERIALIZED (  -- once, then looked up per row
        SELECT effective_from, effective_until, assignment_radius_m FROM formula_periods
    ), plain_rows AS (
        INSERT INTO pg_temp.land_rows
        -- + 0 turns IEEE's -0 into 0, as the JSON path stores it (numeric has no negative zero)
        SELECT row_number() OVER (ORDER BY t.ord), t.msg_type, t.received_at, NULL, NULL, x.ts, t.object_id, t.msg_cnt,
               t.sec_mark, t.latitude + 0, t.longitude + 0, t.elevation + 0, t.speed + 0, t.heading + 0,
               t.accel_lon + 0, t.accel_lat + 0, t.wheel_brakes, t.vehicle_length, t.vehicle_width, t.basic_type,
               t.rsu_name,
               (SELECT r.assignment_radius_m FROM radii AS r WHERE x.ts >= r.effective_from AND x.ts < r.effective_until)
        FROM taken AS t
        CROSS JOIN LATERAL (SELECT epoch_ms_to_timestamptz(t.ts_ms) AS ts) AS x
        WHERE t.plain
    )
    SELECT count(*) FILTER (WHERE t.plain), count(*) FILTER (WHERE NOT t.plain) INTO plain, refused FROM taken AS t;
    -- The refused rows' messages, read from their text as tsi.land_batch reads them.
    CALL land_rows_read_json(batch, plain, texts);
    IF texts <> refused THEN
        RAISE EXCEPTION 'typed batch %: % rows were refused, % message texts were staged for them', batch, refused, texts
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Stage the text of each row tsi.typed_refused names in tsi.message_staging under the same batch id.';
    END IF;
    CALL land_rows_move(batch, received, landed, duplicates, quarantined, unassigned);
END
$$;
COMMENT ON PROCEDURE tsi.land_typed(uuid, integer, integer, integer, integer, integer) IS
    'Lands the BSM/PSM the collector copied into tsi.typed_staging under one batch id, as tsi.land_batch lands them from tsi.message_staging: '
    'plainly valid rows (tsi.typed_plain) with their typed fields, the refused ones (tsi.typed_refused) from the text staged for them in tsi.message_staging '
    '(quarantined with its reason, or landed). Same counts, same de-duplication; a repeated call lands nothing twice. '
    'Raises, landing nothing, when the staged texts do not match the refused rows.';

COMMIT;
