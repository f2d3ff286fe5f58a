-- Deploy trafficsafety:tsi/land_batch to pg
-- The collector's one call per batch: validate, de-duplicate, assign and move the rows it
-- copied into tsi.message_staging. Safe to call twice, and safe to re-copy and re-call a
-- batch whose first landing was committed (every message is then a duplicate).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION tsi.nearest_intersection(latitude double precision, longitude double precision, radius_m double precision)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT i.id
    FROM tsi.intersections AS i
    WHERE ST_DWithin(i.geometry::geography, ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography, radius_m)
    ORDER BY i.geometry::geography <-> ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography, i.id
    LIMIT 1
$$;
COMMENT ON FUNCTION tsi.nearest_intersection(double precision, double precision, double precision) IS
    'The intersection whose reference point is nearest to a position (metres on the geography), if one lies within radius_m; else NULL.';

CREATE PROCEDURE tsi.land_batch(
    batch uuid,
    INOUT received integer DEFAULT NULL,
    INOUT landed integer DEFAULT NULL,
    INOUT duplicates integer DEFAULT NULL,
    INOUT quarantined integer DEFAULT NULL,
    INOUT unassigned integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
AS $$
DECLARE
    radius double precision;
    first_day date;
    last_day date;
BEGIN
    IF batch IS NULL THEN
        RAISE EXCEPTION 'batch must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- Classify every staged message once; the moves below read this.
    IF to_regclass('pg_temp.land_rows') IS NULL THEN
        CREATE TEMP TABLE land_rows (
            msg_type text, received_at timestamptz, payload jsonb, problem tsi.rejection, ts timestamptz
        ) ON COMMIT DELETE ROWS;
    END IF;
    TRUNCATE pg_temp.land_rows;

    WITH taken AS (
        DELETE FROM tsi.message_staging WHERE batch_id = batch
        RETURNING msg_type, received_at, payload
    )
    INSERT INTO pg_temp.land_rows
    SELECT t.msg_type, t.received_at, t.payload, p.problem,
           CASE WHEN p.problem IS NULL AND t.msg_type IN ('bsm', 'psm')
                THEN epoch_ms_to_timestamptz(json_integer(t.payload -> 'timestamp')) END
    FROM taken AS t
    CROSS JOIN LATERAL (SELECT CASE t.msg_type
        WHEN 'bsm' THEN check_bsm(t.payload, t.received_at)
        WHEN 'psm' THEN check_psm(t.payload, t.received_at)
        WHEN 'mapdata' THEN check_mapdata(t.payload)
        ELSE ('unknown_type', format('msg_type must be bsm, psm or mapdata, got %L', t.msg_type))::tsi.rejection
    END AS problem) AS p;

    SELECT count(*), min(ts)::date, max(ts)::date INTO received, first_day, last_day FROM pg_temp.land_rows;
    IF first_day IS NOT NULL THEN
        PERFORM create_daily_partitions(p, first_day, last_day)
        FROM unnest(ARRAY['tsi.bsm_messages', 'tsi.psm_messages']::regclass[]) AS p;
        radius := (formula_at((SELECT min(ts) FROM pg_temp.land_rows))).assignment_radius_m;
    END IF;

    -- MapData first, so vehicles of a new intersection are assigned to it in this batch.
    INSERT INTO tsi.intersections AS cur (id, region, name, latitude, longitude, elevation, revision,
                                          lane_count, lane_width, metadata)
    SELECT DISTINCT ON (json_integer(i -> 'id' -> 'id'))
           json_integer(i -> 'id' -> 'id'),
           coalesce(json_integer(i -> 'id' -> 'region'), 0),
           coalesce(nullif(i ->> 'name', ''), 'Intersection ' || json_integer(i -> 'id' -> 'id')),
           json_number(i -> 'refPoint' -> 'lat'),
           json_number(i -> 'refPoint' -> 'lon'),
           json_number(i -> 'refPoint' -> 'elevation'),
           json_integer(i -> 'revision'),
           CASE WHEN jsonb_typeof(i -> 'laneSet') = 'array' THEN jsonb_array_length(i -> 'laneSet') END,
           json_number(i -> 'laneWidth'),
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
    WHERE (cur.region, cur.name, cur.latitude, cur.longitude, cur.elevation, cur.revision, cur.lane_count, cur.lane_width)
          IS DISTINCT FROM
          (EXCLUDED.region, EXCLUDED.name, EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.elevation,
           EXCLUDED.revision, EXCLUDED.lane_count, EXCLUDED.lane_width);

    WITH bsm AS (
        INSERT INTO tsi.bsm_messages (ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, intersection_id,
                                      latitude, longitude, elevation, speed, heading, accel_lon, accel_lat,
                                      wheel_brakes, vehicle_length, vehicle_width, rsu_name)
        SELECT date_trunc('second', r.ts), json_integer(c -> 'id'), json_integer(c -> 'msgCnt'),
               json_integer(c -> 'secMark'), r.ts, r.received_at,
               nearest_intersection(json_number(c -> 'lat'), json_number(c -> 'lon'), radius),
               json_number(c -> 'lat'), json_number(c -> 'lon'), json_number(c -> 'elev'),
               json_number(c -> 'speed'), json_number(c -> 'heading'),
               json_number(c -> 'accelSet' -> 'lon'), json_number(c -> 'accelSet' -> 'lat'),
               json_integer(c -> 'brakes' -> 'wheelBrakes'),
               json_integer(c -> 'size' -> 'length'), json_integer(c -> 'size' -> 'width'),
               r.payload ->> 'rsuName'
        FROM pg_temp.land_rows AS r
        CROSS JOIN LATERAL (SELECT r.payload -> 'bsmJson' -> 'coreData' AS c) AS core
        WHERE r.msg_type = 'bsm' AND r.problem IS NULL
        ON CONFLICT DO NOTHING
        RETURNING ts, intersection_id
    ), psm AS (
        INSERT INTO tsi.psm_messages (ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, intersection_id,
                                      basic_type, latitude, longitude, elevation, speed, heading, rsu_name)
        SELECT date_trunc('second', r.ts), json_integer(p -> 'id'), json_integer(p -> 'msgCnt'),
               json_integer(p -> 'secMark'), r.ts, r.received_at,
               nearest_intersection(json_number(p -> 'position' -> 'lat'), json_number(p -> 'position' -> 'lon'), radius),
               json_integer(p -> 'basicType'),
               json_number(p -> 'position' -> 'lat'), json_number(p -> 'position' -> 'lon'),
               json_number(p -> 'position' -> 'elev'), json_number(p -> 'speed'), json_number(p -> 'heading'),
               r.payload ->> 'rsuName'
        FROM pg_temp.land_rows AS r
        CROSS JOIN LATERAL (SELECT r.payload -> 'psmJson' AS p) AS body
        WHERE r.msg_type = 'psm' AND r.problem IS NULL
        ON CONFLICT DO NOTHING
        RETURNING ts, intersection_id
    ), moved AS (
        SELECT * FROM bsm UNION ALL SELECT * FROM psm
    ), pending AS (
        INSERT INTO tsi.pending_minutes (minute)
        SELECT DISTINCT date_trunc('minute', ts) FROM moved WHERE intersection_id IS NOT NULL
        ON CONFLICT DO NOTHING
    )
    SELECT count(*), count(*) FILTER (WHERE intersection_id IS NULL) INTO landed, unassigned FROM moved;

    INSERT INTO tsi.quarantine (msg_type, reason, detail, payload, payload_hash, received_at, batch_id)
    SELECT r.msg_type, (r.problem).reason, (r.problem).detail, r.payload,
           sha256(convert_to(r.msg_type || ':' || r.payload::text, 'UTF8')), r.received_at, batch
    FROM pg_temp.land_rows AS r
    WHERE r.problem IS NOT NULL
    ON CONFLICT (payload_hash) DO NOTHING;

    -- Valid MapData messages count as landed; valid BSM/PSM that did not land were duplicates.
    SELECT count(*) FILTER (WHERE problem IS NOT NULL),
           landed + count(*) FILTER (WHERE msg_type = 'mapdata' AND problem IS NULL)
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
END
$$;
COMMENT ON PROCEDURE tsi.land_batch(uuid, integer, integer, integer, integer, integer) IS
    'Lands the messages the collector copied into tsi.message_staging under one batch id: valid BSM/PSM into the raw tables (duplicates skipped by the de-duplication key, each assigned to the nearest intersection within the configured radius), decoded MapData upserted into tsi.intersections, every invalid message into tsi.quarantine with its reason. Returns the counts; a repeated call lands nothing twice.';

COMMIT;
