-- Deploy trafficsafety:tsi/processing to pg
-- From landed messages to 1-minute features and rolling-window indices (reference §2–§3).
-- Every step takes an explicit time range and reads no clock, so history can be replayed:
-- re-running a range gives identical rows, and a late message re-marks its minute.
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

-- 1-minute features ----------------------------------------------------------------------

CREATE FUNCTION tsi.compute_features(from_ts timestamptz, to_ts timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
-- The planner takes an unnest for 10 rows and a new day's partition without statistics (the
-- first minutes of a day or a backfill) for a handful: allowed to, it joins messages with
-- messages by nested loop (one call ran for over 5 minutes instead of seconds) or sorts and
-- merge-joins them (twice as slow). The lateral join per intersection stays a nested loop, the
-- only way to run it. A minute's million messages are sorted and aggregated in work_mem.
SET work_mem = '256MB'
SET enable_mergejoin = off
SET enable_nestloop = off
AS $$
DECLARE
    c tsi.formula_config := tsi.formula_at(from_ts);
    pair_time interval := make_interval(secs => c.conflict_time_s);
    pair_ms bigint := round(c.conflict_time_s * 1000)::bigint;
    from_ms bigint := round(date_part('epoch', from_ts) * 1000)::bigint;
    cell_ms bigint := greatest(pair_ms, 1);
    origin_ms bigint := from_ms - pair_ms - 1000;  -- before every message read: cells count from 0
    written integer;
BEGIN
    DELETE FROM tsi.features_minute WHERE minute >= from_ts AND minute < to_ts;

    INSERT INTO tsi.features_minute (intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count,
                                     speed_n, speed_sum, speed_sum_sq, hard_braking_count,
                                     vru_event_count, vehicle_event_count)
    WITH bsm AS (
        SELECT intersection_id, date_trunc('minute', ts) AS minute, count(*) AS n,
               count(DISTINCT vehicle_id) AS volume, count(speed) AS speed_n,
               coalesce(sum(speed), 0) AS speed_sum, coalesce(sum(speed * speed), 0) AS speed_sum_sq,
               count(DISTINCT vehicle_id) FILTER (WHERE accel_lon <= c.hard_braking_threshold_m_s2) AS hard_braking
        FROM tsi.bsm_messages
        WHERE ts_second >= from_ts AND ts_second < to_ts AND intersection_id IS NOT NULL
        GROUP BY 1, 2
    ), psm AS (
        SELECT intersection_id, date_trunc('minute', ts) AS minute, count(*) AS n, count(DISTINCT psm_id) AS vrus
        FROM tsi.psm_messages
        WHERE ts_second >= from_ts AND ts_second < to_ts AND intersection_id IS NOT NULL
        GROUP BY 1, 2
    ), reference_points AS (
        SELECT id, latitude, longitude, 111320 * cos(radians(latitude)) AS metres_per_degree_lon
        FROM tsi.intersections
    ), points AS MATERIALIZED (
        -- Messages that can form a pair whose later message lies in the range, per intersection,
        -- in metres east/north of its reference point and hashed into cells of the conflict time
        -- (whole ms, so that two messages within it are at most one cell apart) and distance,
        -- packed into one bigint (time from 24 bits up, x and y 12 bits each), so that pairs are
        -- found by a hash join on neighbouring cells. A clamped cell only adds candidates: the
        -- exact tests below decide.
        SELECT m.*,
               ((m.t_ms - origin_ms) / cell_ms * 4096
                + least(greatest(floor(m.x / c.conflict_distance_m)::bigint + 2048, 0), 4095)) * 4096
                + least(greatest(floor(m.y / c.conflict_distance_m)::bigint + 2048, 0), 4095) AS cell
        FROM (
            SELECT true AS is_vehicle, b.intersection_id, b.vehicle_id AS object_id, b.speed,
                   (b.longitude - i.longitude) * i.metres_per_degree_lon AS x, (b.latitude - i.latitude) * 110574 AS y,
                   round(date_part('epoch', b.ts) * 1000)::bigint AS t_ms  -- exact: messages carry whole ms
            FROM tsi.bsm_messages AS b JOIN reference_points AS i ON i.id = b.intersection_id
            WHERE b.ts_second >= from_ts - pair_time AND b.ts_second < to_ts
            UNION ALL
            SELECT false, p.intersection_id, p.psm_id, p.speed,
                   (p.longitude - i.longitude) * i.metres_per_degree_lon, (p.latitude - i.latitude) * 110574,
                   round(date_part('epoch', p.ts) * 1000)::bigint
            FROM tsi.psm_messages AS p JOIN reference_points AS i ON i.id = p.intersection_id
            WHERE p.ts_second >= from_ts - pair_time AND p.ts_second < to_ts
        ) AS m
    ), by_intersection AS (
        -- One small hash table per intersection instead of one for all: it stays in the CPU
        -- cache: the same join over 10, 100 and 1 000 intersections took 0.17, 3.3 and 54 s.
        SELECT intersection_id, array_agg(is_vehicle) AS is_vehicle, array_agg(object_id) AS object_id,
               array_agg(speed) AS speed, array_agg(x) AS x, array_agg(y) AS y,
               array_agg(t_ms) AS t_ms, array_agg(cell) AS cell
        FROM points
        GROUP BY intersection_id
    ), events AS (
        -- Conflict events per intersection and minute: distinct pairs of objects (reference §2).
        -- Found, de-duplicated and counted per intersection: its few thousand message pairs stay
        -- in the CPU cache, where one sort of all of them (669 851 rows for 100 intersections)
        -- took a sixth of the time.
        SELECT g.intersection_id, e.*
        FROM by_intersection AS g
        CROSS JOIN LATERAL (
            SELECT to_timestamp(pairs.minute * 60) AS minute,
                   count(*) FILTER (WHERE NOT pairs.vehicle_pair) AS vru_events,
                   count(*) FILTER (WHERE pairs.vehicle_pair) AS vehicle_events
            FROM (
                -- Each neighbouring pair of cells once: from a cell to itself and to the 13 cells
                -- after it in (time, x, y) order. A pair found twice (both orders within one
                -- cell) gives the same row, and the later message owns the pair's minute
                -- (counted in whole minutes of epoch ms: date_trunc per pair cost more).
                SELECT DISTINCT greatest(a.t_ms, b.t_ms) / 60000 AS minute,
                       a.is_vehicle AND b.is_vehicle AS vehicle_pair,
                       CASE WHEN a.is_vehicle AND b.is_vehicle THEN least(a.object_id, b.object_id)
                            WHEN a.is_vehicle THEN b.object_id ELSE a.object_id END AS first_id,
                       CASE WHEN a.is_vehicle AND b.is_vehicle THEN greatest(a.object_id, b.object_id)
                            WHEN a.is_vehicle THEN a.object_id ELSE b.object_id END AS second_id
                FROM unnest(g.is_vehicle, g.object_id, g.speed, g.x, g.y, g.t_ms, g.cell)
                         AS a (is_vehicle, object_id, speed, x, y, t_ms, cell)
                -- (dt·4096 + dx)·4096 + dy for (dt, dx, dy) >= (0, 0, 0). Constants, not a
                -- lateral a.cell + …: the list is then built once, not once per message (twice
                -- as fast).
                CROSS JOIN (VALUES (0::bigint), (1), (4095), (4096), (4097),
                                   (16777216 - 4097), (16777216 - 4096), (16777216 - 4095), (16777216 - 1), (16777216),
                                   (16777216 + 1), (16777216 + 4095), (16777216 + 4096), (16777216 + 4097)) AS n (offset_)
                JOIN unnest(g.is_vehicle, g.object_id, g.speed, g.x, g.y, g.t_ms, g.cell)
                         AS b (is_vehicle, object_id, speed, x, y, t_ms, cell)
                  ON b.cell = a.cell + n.offset_
                -- Integer milliseconds and products rather than intervals and powers: this
                -- filter runs on millions of candidates.
                WHERE (a.is_vehicle OR b.is_vehicle)
                  AND abs(b.t_ms - a.t_ms) <= pair_ms
                  AND (b.x - a.x) * (b.x - a.x) + (b.y - a.y) * (b.y - a.y) < c.conflict_distance_m ^ 2
                  AND (NOT (a.is_vehicle AND b.is_vehicle)
                       OR (a.object_id <> b.object_id AND abs(a.speed - b.speed) > c.vehicle_conflict_speed_diff_m_s))
                  AND greatest(a.t_ms, b.t_ms) >= from_ms
            ) AS pairs
            GROUP BY pairs.minute  -- also keeps the join per intersection (not flattened into one)
        ) AS e
    )
    SELECT k.intersection_id, k.minute, coalesce(b.n, 0), coalesce(p.n, 0), coalesce(b.volume, 0), coalesce(p.vrus, 0),
           coalesce(b.speed_n, 0), coalesce(b.speed_sum, 0), coalesce(b.speed_sum_sq, 0), coalesce(b.hard_braking, 0),
           coalesce(e.vru_events, 0), coalesce(e.vehicle_events, 0)
    FROM (SELECT intersection_id, minute FROM bsm UNION SELECT intersection_id, minute FROM psm) AS k
    LEFT JOIN bsm AS b USING (intersection_id, minute)
    LEFT JOIN psm AS p USING (intersection_id, minute)
    LEFT JOIN events AS e USING (intersection_id, minute);

    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
COMMENT ON FUNCTION tsi.compute_features(timestamptz, timestamptz) IS
    'Recomputes tsi.features_minute for the minutes in [from_ts, to_ts) from the assigned raw messages (reference §2); returns the rows written.';

-- Rolling windows -----------------------------------------------------------------------

CREATE FUNCTION tsi.window_features(from_ts timestamptz, to_ts timestamptz, window_minutes integer)
RETURNS TABLE (intersection_id integer, minute timestamptz, features tsi.window_features, window_volume integer)
LANGUAGE sql STABLE
AS $$
    SELECT w.intersection_id, w.minute,
           ROW(w.vru_events, w.volume,
               w.speed_sum / nullif(w.speed_n, 0),
               CASE WHEN w.speed_n > 1
                    THEN sqrt(greatest(0, (w.speed_sum_sq - w.speed_sum ^ 2 / w.speed_n) / (w.speed_n - 1))) ELSE 0 END,
               w.hard_braking, w.vehicle_events)::tsi.window_features,
           w.volume::integer
    FROM (
        SELECT f.intersection_id, f.minute,
               sum(f.vru_event_count) OVER w AS vru_events, sum(f.traffic_volume) OVER w AS volume,
               sum(f.speed_n) OVER w AS speed_n, sum(f.speed_sum) OVER w AS speed_sum,
               sum(f.speed_sum_sq) OVER w AS speed_sum_sq, sum(f.hard_braking_count) OVER w AS hard_braking,
               sum(f.vehicle_event_count) OVER w AS vehicle_events
        FROM tsi.features_minute AS f
        WHERE f.minute >= from_ts - make_interval(mins => window_minutes - 1) AND f.minute < to_ts
        WINDOW w AS (PARTITION BY f.intersection_id ORDER BY f.minute
                     RANGE BETWEEN make_interval(mins => window_minutes - 1) PRECEDING AND CURRENT ROW)
    ) AS w
    WHERE w.minute >= from_ts
$$;
COMMENT ON FUNCTION tsi.window_features(timestamptz, timestamptz, integer) IS
    'Window-level features of every (intersection, minute) with data in [from_ts, to_ts): counts summed over the window_minutes ending with the minute, speed mean and sample standard deviation over all the window''s messages.';

-- Normalisation constants and Empirical-Bayes baselines --------------------------------

CREATE FUNCTION tsi.constants_from_history(history_from timestamptz, history_until timestamptz, window_minutes integer,
                                           speed_percentile double precision)
RETURNS TABLE (constants jsonb, sample_windows bigint, first_minute timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT jsonb_build_object(
               'i_vru_max', greatest(coalesce(max((w.features).vru_event_count), 0), 1),
               'i_veh_max', greatest(coalesce(max((w.features).vehicle_event_count), 0), 1),
               'v_max', greatest(coalesce(max((w.features).traffic_volume), 0), 1),
               'sigma_max', coalesce(nullif(max((w.features).speed_stddev), 0), 1),
               'hb_max', greatest(coalesce(max((w.features).hard_braking_count), 0), 1),
               's_ref', coalesce(nullif(percentile_cont(speed_percentile) WITHIN GROUP (ORDER BY (w.features).avg_speed)
                                        FILTER (WHERE (w.features).avg_speed > 0), 0), 1)),
           count(*), min(w.minute)
    FROM tsi.window_features(history_from, history_until, window_minutes) AS w
$$;
COMMENT ON FUNCTION tsi.constants_from_history(timestamptz, timestamptz, integer, double precision) IS
    'Normalisation constants from the window features of a period: maxima of I_VRU, I_veh, V, σ, HB and the given percentile of window average speed where > 0; a 0 becomes 1.';

-- Computes constants from the window features of [history_from, history_until) and stores them
-- for [valid_from, valid_until); less history than the formula's period is a logged bootstrap.
CREATE FUNCTION tsi.store_constants(valid_from timestamptz, valid_until timestamptz,
                                    history_from timestamptz, history_until timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    c tsi.formula_config := tsi.formula_at(history_until);
    h record;
    bootstrap boolean;
    new_id integer;
BEGIN
    SELECT * INTO h FROM tsi.constants_from_history(history_from, history_until, c.window_minutes, c.speed_ref_percentile);
    bootstrap := valid_from = '-infinity' OR h.first_minute IS NULL
                 OR h.first_minute > history_until - make_interval(days => c.normalization_period_days) + interval '1 day';
    INSERT INTO tsi.normalization_constants (computed_at, constants, valid_from, valid_until, is_bootstrap,
                                            history_from, history_until, sample_windows)
    VALUES (CASE WHEN valid_from = '-infinity' THEN now() ELSE valid_from END, h.constants, valid_from, valid_until,
            bootstrap, CASE WHEN history_from = '-infinity' THEN h.first_minute ELSE history_from END, history_until, h.sample_windows)
    RETURNING id INTO new_id;
    IF bootstrap THEN
        INSERT INTO tsi.data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
        VALUES (CASE WHEN valid_from = '-infinity' THEN now() ELSE valid_from END, 'constants_bootstrap',
                CASE WHEN valid_from = '-infinity' THEN 'warning' ELSE 'info' END,
                format('normalisation constants %s computed from %s windows since %s, less than the %s days asked',
                       new_id, h.sample_windows, coalesce(h.first_minute::text, 'nothing'), c.normalization_period_days),
                jsonb_build_object('constants_id', new_id, 'constants', h.constants),
                CASE WHEN valid_from = '-infinity' THEN h.first_minute ELSE valid_from END)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION tsi.store_constants(timestamptz, timestamptz, timestamptz, timestamptz) IS
    'Computes normalisation constants from the window features of [history_from, history_until) and stores them valid for [valid_from, valid_until); flags and logs a bootstrap when the history is shorter than the formula''s period.';

CREATE FUNCTION tsi.recompute_constants(at timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
BEGIN
    IF EXISTS (SELECT FROM tsi.normalization_constants WHERE valid_from >= at) THEN
        RAISE EXCEPTION 'normalisation constants valid from % or later exist already', at
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE tsi.normalization_constants SET valid_until = at WHERE valid_until IS NULL;
    RETURN tsi.store_constants(at, NULL, at - make_interval(days => (tsi.formula_at(at)).normalization_period_days), at);
END
$$;
COMMENT ON FUNCTION tsi.recompute_constants(timestamptz) IS
    'Computes normalisation constants from the trailing period (formula_config.normalization_period_days) before `at`, valid from `at`; closes the previous row. Less history than the period asks is flagged is_bootstrap and logged.';

-- A minute before the first computed constants is scored with constants bootstrapped from
-- whatever history exists up to `until`, valid from -infinity to the first row.
CREATE FUNCTION tsi.ensure_constants(until timestamptz)
RETURNS void
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    first_from timestamptz := (SELECT min(valid_from) FROM tsi.normalization_constants);
BEGIN
    IF first_from = '-infinity' THEN
        RETURN;
    END IF;
    PERFORM tsi.store_constants('-infinity', first_from, '-infinity', coalesce(first_from, until));
END
$$;
COMMENT ON FUNCTION tsi.ensure_constants(timestamptz) IS
    'Makes sure every instant has normalisation constants: when none cover the time before the first computed row, bootstraps them from the history that exists (logged to data_quality_log).';

CREATE FUNCTION tsi.recompute_baselines(at timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    c tsi.formula_config := tsi.formula_at(at);
    written integer;
BEGIN
    INSERT INTO tsi.eb_baselines (valid_from, intersection_id, hour_of_day, combined_baseline, vru_baseline,
                                  vehicle_baseline, sample_minutes, computed_at)
    SELECT at, h.intersection_id, h.hour_of_day,
           sum(h.avg_combined_raw * h.minutes_with_data) / sum(h.minutes_with_data),
           sum(h.avg_vru_raw * h.minutes_with_data) / sum(h.minutes_with_data),
           sum(h.avg_vehicle_raw * h.minutes_with_data) / sum(h.minutes_with_data),
           sum(h.minutes_with_data), at
    FROM tsi.safety_indices_hourly AS h
    WHERE h.hour_timestamp >= at - make_interval(days => c.normalization_period_days) AND h.hour_timestamp < at
      AND h.avg_combined_raw IS NOT NULL
    GROUP BY GROUPING SETS ((h.intersection_id, h.hour_of_day), (h.intersection_id), ())
    HAVING sum(h.minutes_with_data) > 0
    ON CONFLICT (valid_from, intersection_id, hour_of_day) DO UPDATE
    SET combined_baseline = EXCLUDED.combined_baseline, vru_baseline = EXCLUDED.vru_baseline,
        vehicle_baseline = EXCLUDED.vehicle_baseline, sample_minutes = EXCLUDED.sample_minutes;
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END
$$;
COMMENT ON FUNCTION tsi.recompute_baselines(timestamptz) IS
    'Empirical-Bayes baselines valid from `at`: mean raw indices of the trailing period''s hourly rows per (intersection, local hour), per intersection and for the network.';

-- Indices --------------------------------------------------------------------------------

CREATE FUNCTION tsi.compute_indices(from_ts timestamptz, to_ts timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    c tsi.formula_config := tsi.formula_at(from_ts);
    hourly_watermark timestamptz := (SELECT watermark FROM tsi.rollup_watermarks WHERE rollup = 'hourly');
    written integer;
BEGIN
    PERFORM tsi.ensure_constants(to_ts);

    WITH scored AS (
        SELECT w.intersection_id, w.minute, w.window_volume, f.traffic_volume, f.vru_count, f.vehicle_event_count,
               f.vru_event_count, f.hard_braking_count, f.speed_sum / nullif(f.speed_n, 0) AS avg_speed,
               i.time_zone, nc.id AS constants_id,
               tsi.vru_index(w.features, nc.n, c) AS vru,
               tsi.vehicle_index(w.features, nc.n, c) AS vehicle
        FROM tsi.window_features(from_ts, to_ts, c.window_minutes) AS w
        JOIN tsi.features_minute AS f ON f.intersection_id = w.intersection_id AND f.minute = w.minute
        JOIN tsi.intersections AS i ON i.id = w.intersection_id
        CROSS JOIN LATERAL (
            SELECT k.id, tsi.norm_constants_from_jsonb(k.constants) AS n
            FROM tsi.normalization_constants AS k
            WHERE k.valid_from <= w.minute AND (k.valid_until IS NULL OR k.valid_until > w.minute)
        ) AS nc
    ), combined AS (
        SELECT s.*, tsi.local_hour(s.minute, s.time_zone) AS hour_of_day,
               tsi.combined_index(tsi.traffic_index(s.vru, s.vehicle, c), NULL, c.weather_weight) AS combined,
               tsi.traffic_index(s.vru, s.vehicle, c) AS traffic
        FROM scored AS s
    ), upserted AS (
        INSERT INTO tsi.safety_indices_realtime AS r (
            intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb, vehicle_index,
            vehicle_index_eb, traffic_index, traffic_volume, vru_count, vehicle_event_count, vru_event_count,
            hard_braking_count, avg_speed, window_volume, hour_of_day, day_of_week, formula_version, constants_id)
        SELECT x.intersection_id, x.minute, x.combined,
               tsi.eb_adjust(x.combined, b.combined_baseline, x.window_volume, c.eb_k),
               x.vru, tsi.eb_adjust(x.vru, b.vru_baseline, x.window_volume, c.eb_k),
               x.vehicle, tsi.eb_adjust(x.vehicle, b.vehicle_baseline, x.window_volume, c.eb_k),
               x.traffic, x.traffic_volume, x.vru_count, x.vehicle_event_count, x.vru_event_count,
               x.hard_braking_count, x.avg_speed, x.window_volume, x.hour_of_day,
               tsi.local_day_of_week(x.minute, x.time_zone), c.formula_version, x.constants_id
        FROM combined AS x
        CROSS JOIN LATERAL (
            -- The most specific baseline of the set in force, else the configured default.
            SELECT coalesce(max(e.combined_baseline), c.eb_default_baseline) AS combined_baseline,
                   coalesce(max(e.vru_baseline), c.eb_default_baseline) AS vru_baseline,
                   coalesce(max(e.vehicle_baseline), c.eb_default_baseline) AS vehicle_baseline
            FROM (
                SELECT e.* FROM tsi.eb_baselines AS e
                WHERE e.valid_from = (SELECT max(valid_from) FROM tsi.eb_baselines WHERE valid_from <= x.minute)
                  AND (e.intersection_id = x.intersection_id OR e.intersection_id IS NULL)
                  AND (e.hour_of_day = x.hour_of_day OR e.hour_of_day IS NULL)
                ORDER BY e.intersection_id IS NULL, e.hour_of_day IS NULL
                LIMIT 1
            ) AS e
        ) AS b
        ON CONFLICT (intersection_id, timestamp) DO UPDATE
        SET combined_index = EXCLUDED.combined_index, combined_index_eb = EXCLUDED.combined_index_eb,
            vru_index = EXCLUDED.vru_index, vru_index_eb = EXCLUDED.vru_index_eb,
            vehicle_index = EXCLUDED.vehicle_index, vehicle_index_eb = EXCLUDED.vehicle_index_eb,
            traffic_index = EXCLUDED.traffic_index, traffic_volume = EXCLUDED.traffic_volume,
            vru_count = EXCLUDED.vru_count, vehicle_event_count = EXCLUDED.vehicle_event_count,
            vru_event_count = EXCLUDED.vru_event_count, hard_braking_count = EXCLUDED.hard_braking_count,
            avg_speed = EXCLUDED.avg_speed, window_volume = EXCLUDED.window_volume,
            hour_of_day = EXCLUDED.hour_of_day, day_of_week = EXCLUDED.day_of_week,
            formula_version = EXCLUDED.formula_version, constants_id = EXCLUDED.constants_id
        WHERE (r.combined_index, r.combined_index_eb, r.vru_index, r.vru_index_eb, r.vehicle_index, r.vehicle_index_eb,
               r.traffic_index, r.traffic_volume, r.vru_count, r.vehicle_event_count, r.vru_event_count,
               r.hard_braking_count, r.avg_speed, r.window_volume, r.hour_of_day, r.day_of_week,
               r.formula_version, r.constants_id)
              IS DISTINCT FROM
              (EXCLUDED.combined_index, EXCLUDED.combined_index_eb, EXCLUDED.vru_index, EXCLUDED.vru_index_eb,
               EXCLUDED.vehicle_index, EXCLUDED.vehicle_index_eb, EXCLUDED.traffic_index, EXCLUDED.traffic_volume,
               EXCLUDED.vru_count, EXCLUDED.vehicle_event_count, EXCLUDED.vru_event_count,
               EXCLUDED.hard_braking_count, EXCLUDED.avg_speed, EXCLUDED.window_volume, EXCLUDED.hour_of_day,
               EXCLUDED.day_of_week, EXCLUDED.formula_version, EXCLUDED.constants_id)
        RETURNING r.intersection_id, r.timestamp
    ), removed AS (
        -- Minutes that no longer have data (reprocessing after messages were reassigned).
        DELETE FROM tsi.safety_indices_realtime AS r
        WHERE r.timestamp >= from_ts AND r.timestamp < to_ts
          AND NOT EXISTS (SELECT FROM tsi.features_minute AS f
                          WHERE f.intersection_id = r.intersection_id AND f.minute = r.timestamp)
        RETURNING r.intersection_id, r.timestamp
    ), changed AS (
        SELECT * FROM upserted UNION ALL SELECT * FROM removed
    ), dirty AS (
        INSERT INTO tsi.dirty_hours (intersection_id, hour_timestamp)
        SELECT DISTINCT intersection_id, date_trunc('hour', timestamp) FROM changed
        WHERE date_trunc('hour', timestamp) < hourly_watermark
        ON CONFLICT DO NOTHING
    )
    SELECT count(*) INTO written FROM changed;
    RETURN written;
END
$$;
COMMENT ON FUNCTION tsi.compute_indices(timestamptz, timestamptz) IS
    'Scores every (intersection, minute) with features in [from_ts, to_ts) over its rolling window, with the formula version and normalisation constants in force at that minute and the Empirical-Bayes columns filled; upserts tsi.safety_indices_realtime (unchanged rows are not rewritten) and marks rolled-up hours that changed. Returns the rows changed.';

-- Orchestration --------------------------------------------------------------------------

CREATE PROCEDURE tsi.process_range(from_ts timestamptz, to_ts timestamptz, reassign boolean DEFAULT true)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    seg record;
    window_len interval;
    part regclass;
BEGIN
    IF from_ts IS NULL OR to_ts IS NULL OR to_ts <= from_ts THEN
        RAISE EXCEPTION 'process_range needs from_ts < to_ts, got [%, %)', from_ts, to_ts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    from_ts := date_trunc('minute', from_ts);
    to_ts := date_trunc('minute', to_ts - interval '1 microsecond') + interval '1 minute';

    -- Messages landed before their intersection was known.
    IF reassign THEN
        PERFORM assign_unassigned(from_ts, to_ts, NULL, false);
    END IF;

    window_len := make_interval(mins => (SELECT max(window_minutes) FROM formula_config));
    PERFORM create_daily_partitions(p, (from_ts AT TIME ZONE 'UTC')::date,
                                    ((to_ts + window_len) AT TIME ZONE 'UTC')::date)
    FROM unnest(ARRAY['tsi.features_minute', 'tsi.safety_indices_realtime']::regclass[]) AS p;

    -- Partitions nobody has analysed yet (a new day, a backfill still landing) have no column
    -- statistics, and plans made without them nested-loop large joins: a processing call during
    -- make up's history backfill ran for over 9 minutes, 2 s once analysed. Analyse them first.
    FOR part IN
        SELECT s.relid::regclass
        FROM pg_inherits AS h JOIN pg_stat_user_tables AS s ON s.relid = h.inhrelid
        WHERE h.inhparent IN ('tsi.bsm_messages'::regclass, 'tsi.psm_messages'::regclass, 'tsi.features_minute'::regclass)
          AND s.last_analyze IS NULL AND s.last_autoanalyze IS NULL AND s.n_live_tup + s.n_mod_since_analyze > 0
    LOOP
        EXECUTE format('ANALYZE %s', part);
    END LOOP;

    -- One formula version at a time; a window's minutes after the range see its new features.
    FOR seg IN
        SELECT greatest(v.effective_from, from_ts) AS seg_from, least(v.effective_until, to_ts) AS seg_to,
               greatest(v.effective_from, from_ts) AS idx_from,
               least(v.effective_until, to_ts + make_interval(mins => v.window_minutes - 1)) AS idx_to
        FROM formula_periods AS v
        WHERE v.effective_from < to_ts + window_len AND v.effective_until > from_ts
        ORDER BY v.effective_from
    LOOP
        IF seg.seg_from < seg.seg_to THEN
            PERFORM compute_features(seg.seg_from, seg.seg_to);
        END IF;
        PERFORM compute_indices(seg.idx_from, seg.idx_to);
    END LOOP;
END
$$;
COMMENT ON PROCEDURE tsi.process_range(timestamptz, timestamptz, boolean) IS
    'Processes the minutes in [from_ts, to_ts): assigns messages that have no intersection yet (reassign), recomputes the 1-minute features and the indices of every window that contains one of these minutes. Reads no clock: re-running a range gives identical rows.';

CREATE PROCEDURE tsi.process_pending(max_minutes integer DEFAULT 240, INOUT processed integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    r record;
BEGIN
    -- One runner at a time; a concurrent call returns at once and the next one catches up.
    IF NOT pg_try_advisory_xact_lock(hashtext('tsi.process_pending')) THEN
        processed := 0;
        RETURN;
    END IF;
    -- Read, not delete: landing goes on meanwhile and re-marks a minute (a new mark) that gets
    -- more data; only minutes whose mark is unchanged are cleared at the end.
    IF to_regclass('pg_temp.taken_minutes') IS NULL THEN
        CREATE TEMP TABLE taken_minutes (minute timestamptz, mark bigint) ON COMMIT DELETE ROWS;
    END IF;
    TRUNCATE pg_temp.taken_minutes;
    INSERT INTO pg_temp.taken_minutes SELECT minute, mark FROM pending_minutes ORDER BY minute LIMIT max_minutes;
    GET DIAGNOSTICS processed = ROW_COUNT;

    -- A late message can pair with one of the next minute, which owns that pair: a pending minute
    -- whose successor was processed before recomputes it too. Runs of consecutive minutes.
    FOR r IN
        SELECT min(m) AS from_ts, max(m) + interval '1 minute' AS to_ts
        FROM (SELECT m, m - make_interval(mins => (dense_rank() OVER (ORDER BY m))::integer) AS run
              FROM (SELECT minute AS m FROM pg_temp.taken_minutes
                    UNION
                    SELECT t.minute + interval '1 minute' FROM pg_temp.taken_minutes AS t
                    WHERE EXISTS (SELECT FROM features_minute AS f WHERE f.minute = t.minute + interval '1 minute')
                   ) AS expanded) AS numbered
        GROUP BY run
        ORDER BY 1
    LOOP
        CALL process_range(r.from_ts, r.to_ts, false);
    END LOOP;

    DELETE FROM pending_minutes AS p USING pg_temp.taken_minutes AS t
    WHERE p.minute = t.minute AND p.mark = t.mark;
    -- The API's latest indices show what was just computed, not what the refresh job saw at the
    -- same minute (it runs alongside and would publish them a minute later).
    IF processed > 0 THEN
        CALL refresh_current_status();
    END IF;
END
$$;
COMMENT ON PROCEDURE tsi.process_pending(integer, integer) IS
    'Processes up to max_minutes of the oldest minutes that received messages since they were last processed (and the minute after each, if it was processed before), then refreshes tsi.mv_current_safety_status; returns how many were taken. The pg_cron job tsi-process calls it every minute.';

COMMIT;
