-- Deploy trafficsafety:tsi/land_batch to pg
-- The collector's one call per batch: validate, de-duplicate, assign and move the rows it
-- copied into tsi.message_staging. Safe to call twice, and safe to re-copy and re-call a
-- batch whose first landing was committed (every message is then a duplicate).
-- Rework of release 1.0: a large batch is analysed before it is joined (see received below); the
-- rows are read into pg_temp.land_rows (from the JSON of tsi.message_staging by
-- tsi.land_rows_read_json; the collector's typed path copies its rows in directly, see
-- tsi/land_typed) and moved by one procedure, tsi.land_rows_move.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- The rows of one landing, read once: a message's problem or its typed fields. Made per session.
-- Wide enough for anything the collector's typed path copies in (tsi.land_typed_begin): integers
-- as bigint, the time as epoch milliseconds, so that no value fails the COPY; a value the raw
-- tables cannot take makes its row refused (tsi.typed_refused), never an error.
CREATE PROCEDURE tsi.land_rows_prepare()
LANGUAGE plpgsql
SET search_path = tsi, public, pg_temp
AS $$
BEGIN
    -- a session that landed before this change still has release 1.0's table (no ts_ms)
    IF to_regclass('pg_temp.land_rows') IS NOT NULL AND NOT EXISTS (
            SELECT FROM pg_attribute WHERE attrelid = to_regclass('pg_temp.land_rows') AND attname = 'ts_ms') THEN
        DROP TABLE pg_temp.land_rows;
    END IF;
    IF to_regclass('pg_temp.land_rows') IS NULL THEN
        CREATE TEMP TABLE land_rows (
            ord bigint, msg_type text, received_at timestamptz, payload jsonb, problem tsi.rejection,
            ts_ms bigint,
            -- NULL outside tsi.read_v2x's bounds, where a message is refused anyway (and
            -- to_timestamp could fail the COPY)
            ts timestamptz GENERATED ALWAYS AS (
                CASE WHEN ts_ms BETWEEN 1420070400000 AND 100000000000000 THEN tsi.epoch_ms_to_timestamptz(ts_ms) END) STORED,
            object_id bigint, msg_cnt bigint, sec_mark bigint,
            latitude double precision, longitude double precision, elevation double precision,
            speed double precision, heading double precision, accel_lon double precision,
            accel_lat double precision, wheel_brakes bigint, vehicle_length bigint, vehicle_width bigint,
            basic_type bigint, rsu_name text
        ) ON COMMIT DELETE ROWS;
    END IF;
    TRUNCATE pg_temp.land_rows;
END
$$;
COMMENT ON PROCEDURE tsi.land_rows_prepare() IS
    'Makes the session''s empty pg_temp.land_rows, which a landing''s reader (or the collector''s typed COPY) fills and tsi.land_rows_move moves and empties.';

-- Everything a landing does once its rows are read: MapData, SPaT, raw BSM/PSM, quarantine, counts.
CREATE PROCEDURE tsi.land_rows_move(
    batch uuid,
    INOUT received integer DEFAULT NULL,
    INOUT landed integer DEFAULT NULL,
    INOUT duplicates integer DEFAULT NULL,
    INOUT quarantined integer DEFAULT NULL,
    INOUT unassigned integer DEFAULT NULL)
LANGUAGE plpgsql
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    new_intersections integer[];
    move text;
BEGIN
    received := (SELECT count(*) FROM pg_temp.land_rows);
    -- Without statistics the planner takes a large batch for a few rows and joins it to its
    -- nearest intersections by nested loop: one archive file of 44 532 messages (a backfill at the
    -- stream rate) took 490 s to land. A live batch of 5 s is small and skips the ANALYZE.
    -- The row count and the columns the joins and filters use are enough: statistics of all
    -- 22 columns cost a quarter of a 20 000-row typed landing.
    IF received >= 5000 THEN
        ANALYZE pg_temp.land_rows (ord, msg_type, problem);
    END IF;

    -- Partitions for the (UTC) days that have messages, and those processing will write (the day
    -- after too: a window crosses midnight): creating a partition of a table with foreign
    -- keys locks the referenced tables until commit, which is short here but would block landing
    -- for the whole of a long processing run. maintain_partitions makes them days ahead anyway;
    -- this covers backfills and late data.
    PERFORM create_daily_partitions(p.parent, d.day, d.day + p.days_after)
    FROM (SELECT DISTINCT (ts AT TIME ZONE 'UTC')::date AS day FROM pg_temp.land_rows WHERE ts IS NOT NULL) AS d
    CROSS JOIN (VALUES ('tsi.bsm_messages'::regclass, 0), ('tsi.psm_messages', 0),
                       ('tsi.features_minute', 1), ('tsi.safety_indices_realtime', 1)) AS p (parent, days_after);

    -- MapData first, so vehicles of a new intersection are assigned to it in this batch.
    WITH changed AS (
    INSERT INTO tsi.intersections AS cur (id, region, name, latitude, longitude, elevation, revision,
                                          lane_count, lane_width, metadata)
    SELECT DISTINCT ON (json_integer(i -> 'id' -> 'id'))
           json_integer(i -> 'id' -> 'id'),
           coalesce(json_integer(i -> 'id' -> 'region'), 0),
           left(coalesce(nullif(i ->> 'name', ''), 'Intersection ' || json_integer(i -> 'id' -> 'id')), 255),
           json_number(i -> 'refPoint' -> 'lat'),
           json_number(i -> 'refPoint' -> 'lon'),
           json_number(i -> 'refPoint' -> 'elevation'),
           json_integer(i -> 'revision'),
           CASE WHEN jsonb_typeof(i -> 'laneSet') = 'array' THEN jsonb_array_length(i -> 'laneSet') END,
           -- optional and not used in computing: an impossible value is dropped, not the message
           CASE WHEN json_number(i -> 'laneWidth') > 0 THEN json_number(i -> 'laneWidth') END,
           jsonb_strip_nulls(jsonb_build_object('speedLimits', i -> 'speedLimits',
                                                'mapdataTimestamp', r.payload -> 'timestamp'))
    FROM pg_temp.land_rows AS r
    CROSS JOIN LATERAL jsonb_array_elements(r.payload -> 'intersections') AS i
    WHERE r.msg_type = 'mapdata' AND r.problem IS NULL
    ORDER BY json_integer(i -> 'id' -> 'id'), r.received_at DESC
    ON CONFLICT (id) DO UPDATE
    SET region = EXCLUDED.region, name = EXCLUDED.name, latitude = EXCLUDED.latitude,
        longitude = EXCLUDED.longitude, elevation = EXCLUDED.elevation, revision = EXCLUDED.revision,
        lane_count = EXCLUDED.lane_count, lane_width = EXCLUDED.lane_width, metadata = EXCLUDED.metadata
    WHERE (cur.region, cur.name, cur.latitude, cur.longitude, cur.elevation, cur.revision, cur.lane_count,
           cur.lane_width, cur.metadata)
          IS DISTINCT FROM
          (EXCLUDED.region, EXCLUDED.name, EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.elevation,
           EXCLUDED.revision, EXCLUDED.lane_count, EXCLUDED.lane_width, EXCLUDED.metadata)
    RETURNING cur.id
    )
    SELECT array_agg(id) INTO new_intersections FROM changed;
    IF new_intersections IS NOT NULL THEN
        PERFORM assign_unassigned('-infinity', 'infinity', new_intersections);
    END IF;

    PERFORM create_daily_partitions('tsi.spat_messages', d.day, d.day)
    FROM (SELECT DISTINCT (spat_time(json_integer(i -> 'moy'), json_integer(i -> 'timeStamp'), r.received_at)
                           AT TIME ZONE 'UTC')::date AS day
          FROM pg_temp.land_rows AS r CROSS JOIN LATERAL jsonb_array_elements(r.payload -> 'intersections') AS i
          WHERE r.msg_type = 'spat' AND r.problem IS NULL) AS d;
    INSERT INTO tsi.spat_messages (spat_time, intersection_id, revision, received_at, states)
    SELECT spat_time(json_integer(i -> 'moy'), json_integer(i -> 'timeStamp'), r.received_at),
           json_integer(i -> 'id' -> 'id'),
           CASE WHEN json_integer(i -> 'revision') BETWEEN 0 AND 127 THEN json_integer(i -> 'revision') END,
           r.received_at, i -> 'states'
    FROM pg_temp.land_rows AS r CROSS JOIN LATERAL jsonb_array_elements(r.payload -> 'intersections') AS i
    WHERE r.msg_type = 'spat' AND r.problem IS NULL
    ORDER BY 1, 2
    ON CONFLICT DO NOTHING;

    -- Every valid BSM and PSM to its nearest intersection, in one set-based pass (ord identifies a
    -- row; the radius is the one configured at the message's time), then into the raw tables.
    -- Rows go in key order (here and below): two batches holding the same messages (a poller and
    -- a stream, a retry) then wait for each other instead of deadlocking.
    -- Optimistically without ON CONFLICT, which costs twice as much per row (its speculative
    -- insertion probes the key twice and logs a confirmation): a batch holding a message that
    -- already landed (a retry, a re-polled snapshot, a concurrent landing of the same messages)
    -- or the same message twice raises unique_violation, is undone, and lands again skipping
    -- duplicates.
    move := $move$
    WITH radii AS MATERIALIZED (  -- once, then looked up per row
        SELECT effective_from, effective_until, assignment_radius_m FROM formula_periods
    ), positions AS MATERIALIZED (  -- one scan, in any order: ords maps an array position to its row
        SELECT array_agg(r.ord) AS ords, array_agg(r.latitude) AS latitudes, array_agg(r.longitude) AS longitudes,
               array_agg((SELECT d.assignment_radius_m FROM radii AS d
                          WHERE r.ts >= d.effective_from AND r.ts < d.effective_until)) AS radii
        FROM pg_temp.land_rows AS r
        WHERE r.msg_type IN ('bsm', 'psm') AND r.problem IS NULL
    ), near AS MATERIALIZED (
        SELECT p.ords[n.ord::integer] AS ord, n.intersection_id
        FROM positions AS p CROSS JOIN LATERAL nearest_intersections(p.latitudes, p.longitudes, p.radii) AS n
    ), bsm AS (
        INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, intersection_id,
                                      latitude, longitude, elevation, speed, heading, accel_lon, accel_lat,
                                      wheel_brakes, vehicle_length, vehicle_width, rsu_name)
        SELECT date_trunc('second', r.ts), r.object_id, r.msg_cnt, r.sec_mark, r.ts, r.received_at, n.intersection_id,
               -- + 0: IEEE's -0 (a typed row's) as 0, as the JSON reader gives it (numeric has no -0)
               r.latitude + 0, r.longitude + 0, r.elevation + 0, r.speed + 0, r.heading + 0, r.accel_lon + 0,
               r.accel_lat + 0, r.wheel_brakes, r.vehicle_length, r.vehicle_width, r.rsu_name
        FROM pg_temp.land_rows AS r LEFT JOIN near AS n USING (ord)
        WHERE r.msg_type = 'bsm' AND r.problem IS NULL
        ORDER BY 1, 2, 3, 4
        %1$s
        RETURNING ts, intersection_id
    ), psm AS (
        INSERT INTO tsi.psm_messages (ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, intersection_id,
                                      basic_type, latitude, longitude, elevation, speed, heading, rsu_name)
        SELECT date_trunc('second', r.ts), r.object_id, r.msg_cnt, r.sec_mark, r.ts, r.received_at, n.intersection_id,
               r.basic_type, r.latitude + 0, r.longitude + 0, r.elevation + 0, r.speed + 0, r.heading + 0, r.rsu_name
        FROM pg_temp.land_rows AS r LEFT JOIN near AS n USING (ord)
        WHERE r.msg_type = 'psm' AND r.problem IS NULL
        ORDER BY 1, 2, 3, 4
        %1$s
        RETURNING ts, intersection_id
    ), moved AS (
        SELECT * FROM bsm UNION ALL SELECT * FROM psm
    ), pending AS (
        INSERT INTO tsi.pending_minutes (minute)
        SELECT DISTINCT date_trunc('minute', ts) FROM moved WHERE intersection_id IS NOT NULL
        ORDER BY 1
        ON CONFLICT (minute) DO UPDATE SET mark = nextval('tsi.pending_mark_seq')
    )
    SELECT count(*), count(*) FILTER (WHERE intersection_id IS NULL) FROM moved
    $move$;
    BEGIN
        EXECUTE format(move, '') INTO landed, unassigned;
    EXCEPTION WHEN unique_violation THEN
        EXECUTE format(move, 'ON CONFLICT DO NOTHING') INTO landed, unassigned;
    END;

    INSERT INTO tsi.quarantine (msg_type, reason, detail, payload, payload_hash, received_at, batch_id)
    SELECT r.msg_type, (r.problem).reason, (r.problem).detail, r.payload,
           sha256(convert_to(r.msg_type || ':' || r.payload::text, 'UTF8')), r.received_at, batch
    FROM pg_temp.land_rows AS r
    WHERE r.problem IS NOT NULL
    ORDER BY 5
    ON CONFLICT (payload_hash) DO NOTHING;

    -- Valid MapData and SPaT messages count as landed; valid BSM/PSM that did not land were duplicates.
    SELECT count(*) FILTER (WHERE problem IS NOT NULL),
           landed + count(*) FILTER (WHERE msg_type IN ('mapdata', 'spat') AND problem IS NULL)
    INTO quarantined, landed
    FROM pg_temp.land_rows;
    duplicates := received - quarantined - landed;

    INSERT INTO tsi.landed_batches (batch_id, received, landed, duplicates, quarantined, unassigned)
    VALUES (batch, received, landed, duplicates, quarantined, unassigned)
    ON CONFLICT (batch_id) DO UPDATE
    SET received = landed_batches.received + EXCLUDED.received,
        landed = landed_batches.landed + EXCLUDED.landed,
        duplicates = landed_batches.duplicates + EXCLUDED.duplicates,
        quarantined = landed_batches.quarantined + EXCLUDED.quarantined,
        unassigned = landed_batches.unassigned + EXCLUDED.unassigned;
    -- landed: a later landing in this transaction starts from no rows
    TRUNCATE pg_temp.land_rows;
END
$$;
COMMENT ON PROCEDURE tsi.land_rows_move(uuid, integer, integer, integer, integer, integer) IS
    'Moves the rows of pg_temp.land_rows (ord: distinct numbers) that a landing read for batch `batch`: valid BSM/PSM into the raw tables (duplicates skipped, each assigned to its nearest intersection), MapData and SPaT, every problem into tsi.quarantine; counts into tsi.landed_batches and the INOUT arguments.';

-- The JSON reader: the messages staged in tsi.message_staging under a batch id, each read once
-- (its problem, or its typed fields), appended to pg_temp.land_rows numbered after first_ord.
-- tsi.land_batch reads every message so; tsi.land_typed the ones its typed rows could not give.
CREATE PROCEDURE tsi.land_rows_read_json(batch uuid, first_ord bigint, INOUT read integer DEFAULT NULL)
LANGUAGE plpgsql
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    -- The payload is kept only where a later step needs it (quarantine, MapData, SPaT).
    WITH taken AS (
        DELETE FROM tsi.message_staging WHERE batch_id = batch
        RETURNING msg_type, received_at, payload
    )
    INSERT INTO pg_temp.land_rows (ord, msg_type, received_at, payload, problem, ts_ms, object_id, msg_cnt, sec_mark,
                                   latitude, longitude, elevation, speed, heading, accel_lon, accel_lat, wheel_brakes,
                                   vehicle_length, vehicle_width, basic_type, rsu_name)
    SELECT first_ord + row_number() OVER (), t.msg_type, t.received_at,
           CASE WHEN p.problem IS NOT NULL OR t.msg_type NOT IN ('bsm', 'psm') THEN t.payload END,
           p.problem,
           (extract(epoch FROM v.ts) * 1000)::bigint,  -- the message's milliseconds again: ts is made of them
           v.object_id, v.msg_cnt, v.sec_mark, v.latitude, v.longitude, v.elevation,
           v.speed, v.heading, v.accel_lon, v.accel_lat, v.wheel_brakes, v.vehicle_length, v.vehicle_width,
           v.basic_type, v.rsu_name
    FROM taken AS t
    CROSS JOIN LATERAL read_v2x(t.msg_type, t.payload, t.received_at) AS v
    CROSS JOIN LATERAL (SELECT CASE t.msg_type
        WHEN 'mapdata' THEN check_mapdata(t.payload)
        WHEN 'spat' THEN check_spat(t.payload)
        ELSE v.problem
    END AS problem OFFSET 0) AS p;  -- OFFSET 0: checked once, not once per reference to p.problem
    GET DIAGNOSTICS read = ROW_COUNT;
END
$$;
COMMENT ON PROCEDURE tsi.land_rows_read_json(uuid, bigint, integer) IS
    'Reads the messages staged in tsi.message_staging under batch `batch` into pg_temp.land_rows (ord from first_ord + 1): each message''s problem (tsi.read_v2x, check_mapdata, check_spat) or its typed fields; `read` is how many.';

CREATE OR REPLACE PROCEDURE tsi.land_batch(
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
    read integer;
BEGIN
    IF batch IS NULL THEN
        RAISE EXCEPTION 'batch must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    CALL land_rows_prepare();
    CALL land_rows_read_json(batch, 0, read);
    CALL land_rows_move(batch, received, landed, duplicates, quarantined, unassigned);
END
$$;
REVOKE ALL ON PROCEDURE tsi.land_rows_prepare(), tsi.land_rows_read_json(uuid, bigint, integer),
    tsi.land_rows_move(uuid, integer, integer, integer, integer, integer) FROM PUBLIC;
COMMENT ON PROCEDURE tsi.land_batch(uuid, integer, integer, integer, integer, integer) IS
    'Lands the messages the collector copied into tsi.message_staging under one batch id: valid BSM/PSM into the raw tables (duplicates skipped by the de-duplication key, each assigned to the nearest intersection within the configured radius), decoded MapData upserted into tsi.intersections, every invalid message into tsi.quarantine with its reason. Returns the counts; a repeated call lands nothing twice.';

COMMIT;
