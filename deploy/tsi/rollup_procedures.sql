-- Deploy trafficsafety:tsi/rollup_procedures to pg
-- Hourly and daily rollups exactly as the reference §4 defines them, exactly once: each call
-- aggregates what lies between the watermark and `up_to` plus what changed behind it, upserts,
-- and advances the watermark in the same transaction.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE PROCEDURE tsi.rollup_hourly(up_to timestamptz, INOUT hours_written integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    wm timestamptz;
    daily_wm timestamptz := (SELECT watermark FROM rollup_watermarks WHERE rollup = 'daily');
BEGIN
    IF up_to IS NULL THEN
        RAISE EXCEPTION 'up_to must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    up_to := date_trunc('hour', up_to);
    SELECT watermark INTO wm FROM rollup_watermarks WHERE rollup = 'hourly' FOR UPDATE;

    WITH targets AS (
        SELECT DISTINCT intersection_id, date_trunc('hour', timestamp) AS hour_timestamp
        FROM safety_indices_realtime
        WHERE timestamp >= wm AND timestamp < up_to
        UNION
        SELECT intersection_id, hour_timestamp FROM dirty_hours WHERE hour_timestamp < up_to
    ), agg AS (
        SELECT t.intersection_id, t.hour_timestamp,
               avg(coalesce(r.combined_index_eb, r.combined_index)) AS avg_si,
               min(coalesce(r.combined_index_eb, r.combined_index)) AS min_si,
               max(coalesce(r.combined_index_eb, r.combined_index)) AS max_si,
               stddev_samp(coalesce(r.combined_index_eb, r.combined_index)) AS std_si,
               sum(r.traffic_volume) AS total_volume,
               avg(r.traffic_volume) AS avg_volume,
               count(*) FILTER (WHERE coalesce(r.combined_index_eb, r.combined_index)
                                      > (formula_at(t.hour_timestamp)).risk_high_above) AS high_risk_minutes,
               count(*) / 60.0 AS data_quality_score,
               avg(coalesce(r.vru_index_eb, r.vru_index)) AS avg_vru_index,
               avg(coalesce(r.vehicle_index_eb, r.vehicle_index)) AS avg_vehicle_index,
               avg(r.combined_index) AS avg_combined_raw,
               avg(r.vru_index) AS avg_vru_raw,
               avg(r.vehicle_index) AS avg_vehicle_raw,
               count(*) AS minutes_with_data,
               local_hour(t.hour_timestamp, i.time_zone) AS hour_of_day,
               local_day_of_week(t.hour_timestamp, i.time_zone) AS day_of_week,
               (t.hour_timestamp AT TIME ZONE i.time_zone)::date AS local_date,
               ((((t.hour_timestamp AT TIME ZONE i.time_zone)::date + 1)::timestamp) AT TIME ZONE i.time_zone) AS local_day_end
        FROM targets AS t
        JOIN intersections AS i ON i.id = t.intersection_id
        JOIN safety_indices_realtime AS r
          ON r.intersection_id = t.intersection_id
         AND r.timestamp >= t.hour_timestamp AND r.timestamp < t.hour_timestamp + interval '1 hour'
        GROUP BY t.intersection_id, t.hour_timestamp, i.time_zone
    ), upserted AS (
        INSERT INTO safety_indices_hourly AS h (
            intersection_id, hour_timestamp, avg_si, min_si, max_si, std_si, total_volume, avg_volume,
            high_risk_minutes, data_quality_score, avg_vru_index, avg_vehicle_index, avg_combined_raw,
            avg_vru_raw, avg_vehicle_raw, minutes_with_data, hour_of_day, day_of_week)
        SELECT intersection_id, hour_timestamp, avg_si, min_si, max_si, std_si, total_volume, avg_volume,
               high_risk_minutes, data_quality_score, avg_vru_index, avg_vehicle_index, avg_combined_raw,
               avg_vru_raw, avg_vehicle_raw, minutes_with_data, hour_of_day, day_of_week
        FROM agg
        ON CONFLICT (intersection_id, hour_timestamp) DO UPDATE
        SET avg_si = EXCLUDED.avg_si, min_si = EXCLUDED.min_si, max_si = EXCLUDED.max_si, std_si = EXCLUDED.std_si,
            total_volume = EXCLUDED.total_volume, avg_volume = EXCLUDED.avg_volume,
            high_risk_minutes = EXCLUDED.high_risk_minutes, data_quality_score = EXCLUDED.data_quality_score,
            avg_vru_index = EXCLUDED.avg_vru_index, avg_vehicle_index = EXCLUDED.avg_vehicle_index,
            avg_combined_raw = EXCLUDED.avg_combined_raw, avg_vru_raw = EXCLUDED.avg_vru_raw,
            avg_vehicle_raw = EXCLUDED.avg_vehicle_raw, minutes_with_data = EXCLUDED.minutes_with_data,
            hour_of_day = EXCLUDED.hour_of_day, day_of_week = EXCLUDED.day_of_week
        RETURNING h.intersection_id, h.hour_timestamp
    ), dirty AS (
        -- Days already rolled up whose hours changed.
        INSERT INTO dirty_days (intersection_id, date)
        SELECT DISTINCT a.intersection_id, a.local_date
        FROM agg AS a JOIN upserted AS u USING (intersection_id, hour_timestamp)
        WHERE a.local_day_end <= daily_wm
        ON CONFLICT DO NOTHING
    )
    SELECT count(*) INTO hours_written FROM upserted;

    -- Hours whose minutes are gone (retention) keep their rollup: nothing is deleted here.
    DELETE FROM dirty_hours WHERE hour_timestamp < up_to;
    UPDATE rollup_watermarks SET watermark = greatest(watermark, up_to), updated_at = now() WHERE rollup = 'hourly';
END
$$;
COMMENT ON PROCEDURE tsi.rollup_hourly(timestamptz, integer) IS
    'Rolls the 1-minute indices up into tsi.safety_indices_hourly for every hour from the hourly watermark to up_to (truncated to the hour), plus hours behind it that received late data; advances the watermark in the same transaction. The pg_cron job tsi-rollup-hourly calls it at :05 with now().';

CREATE PROCEDURE tsi.rollup_daily(up_to timestamptz, INOUT days_written integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    wm timestamptz;
BEGIN
    IF up_to IS NULL THEN
        RAISE EXCEPTION 'up_to must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- A day is complete once its local midnight has passed and its hours are rolled up.
    up_to := least(up_to, (SELECT watermark FROM rollup_watermarks WHERE rollup = 'hourly'));
    SELECT watermark INTO wm FROM rollup_watermarks WHERE rollup = 'daily' FOR UPDATE;

    WITH hours AS (
        SELECT h.*, (h.hour_timestamp AT TIME ZONE i.time_zone)::date AS local_date, i.time_zone
        FROM safety_indices_hourly AS h JOIN intersections AS i ON i.id = h.intersection_id
    ), targets AS (
        SELECT DISTINCT intersection_id, local_date
        FROM hours
        WHERE hour_timestamp >= wm - interval '2 days' AND hour_timestamp < up_to
          AND ((local_date + 1)::timestamp AT TIME ZONE time_zone) > wm
          AND ((local_date + 1)::timestamp AT TIME ZONE time_zone) <= up_to
        UNION
        SELECT d.intersection_id, d.date FROM dirty_days AS d
        JOIN intersections AS i ON i.id = d.intersection_id
        WHERE ((d.date + 1)::timestamp AT TIME ZONE i.time_zone) <= up_to
    ), agg AS (
        SELECT h.intersection_id, h.local_date,
               sum(h.avg_si * h.minutes_with_data) / sum(h.minutes_with_data) AS avg_si,
               min(h.min_si) AS min_si, max(h.max_si) AS max_si, stddev_samp(h.avg_si) AS std_si,
               sum(h.total_volume) AS total_volume,
               sum(h.total_volume)::double precision / sum(h.minutes_with_data) AS avg_volume,
               count(*) FILTER (WHERE h.avg_si > (formula_at(h.hour_timestamp)).risk_high_above) AS high_risk_hours,
               (array_agg(h.hour_of_day ORDER BY h.avg_si DESC, h.hour_timestamp))[1] AS peak_hour,
               max(h.avg_si) AS peak_si,
               sum(h.avg_vru_index * h.minutes_with_data) / sum(h.minutes_with_data) AS avg_vru_index,
               sum(h.avg_vehicle_index * h.minutes_with_data) / sum(h.minutes_with_data) AS avg_vehicle_index,
               count(*) AS hours_with_data,
               extract(isodow FROM h.local_date)::integer - 1 AS day_of_week
        FROM targets AS t
        JOIN hours AS h USING (intersection_id, local_date)
        GROUP BY h.intersection_id, h.local_date
    ), upserted AS (
        INSERT INTO safety_indices_daily AS d (
            intersection_id, date, avg_si, min_si, max_si, std_si, total_volume, avg_volume, high_risk_hours,
            peak_hour, peak_si, avg_vru_index, avg_vehicle_index, hours_with_data, day_of_week)
        SELECT intersection_id, local_date, avg_si, min_si, max_si, std_si, total_volume, avg_volume,
               high_risk_hours, peak_hour, peak_si, avg_vru_index, avg_vehicle_index, hours_with_data, day_of_week
        FROM agg
        ON CONFLICT (intersection_id, date) DO UPDATE
        SET avg_si = EXCLUDED.avg_si, min_si = EXCLUDED.min_si, max_si = EXCLUDED.max_si, std_si = EXCLUDED.std_si,
            total_volume = EXCLUDED.total_volume, avg_volume = EXCLUDED.avg_volume,
            high_risk_hours = EXCLUDED.high_risk_hours, peak_hour = EXCLUDED.peak_hour, peak_si = EXCLUDED.peak_si,
            avg_vru_index = EXCLUDED.avg_vru_index, avg_vehicle_index = EXCLUDED.avg_vehicle_index,
            hours_with_data = EXCLUDED.hours_with_data, day_of_week = EXCLUDED.day_of_week
        RETURNING 1
    )
    SELECT count(*) INTO days_written FROM upserted;

    DELETE FROM dirty_days AS d USING intersections AS i
    WHERE i.id = d.intersection_id AND ((d.date + 1)::timestamp AT TIME ZONE i.time_zone) <= up_to;
    UPDATE rollup_watermarks SET watermark = greatest(watermark, up_to), updated_at = now() WHERE rollup = 'daily';
END
$$;
COMMENT ON PROCEDURE tsi.rollup_daily(timestamptz, integer) IS
    'Rolls hourly rows up into tsi.safety_indices_daily for every intersection''s local calendar days that ended (local midnight) after the daily watermark and by up_to (never past the hourly watermark), plus days whose hours changed; advances the watermark in the same transaction. The pg_cron job tsi-rollup-daily calls it every hour, so each time zone''s midnight is caught.';

COMMIT;
