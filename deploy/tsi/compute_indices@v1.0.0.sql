-- Deploy trafficsafety:tsi/compute_indices to pg
-- Rolling-window indices of the 1-minute features with the formula and constants valid at each minute (reference §3).
BEGIN;
SET LOCAL ROLE tsdb_owner;

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

COMMIT;
