-- Revert trafficsafety:tsi/compute_constants from pg
-- Back to release 1.0 (tsi/compute_constants@v1.0.0): the functions of this rework dropped, those of the release made again; the constants rows stay as they are.
-- Normalisation constants and Empirical-Bayes baselines from the stored history (reference §3).
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION tsi.store_baselines(timestamptz);
DROP FUNCTION tsi.baselines_from_hours(timestamptz);
DROP FUNCTION tsi.recompute_constants(integer, timestamptz);
DROP FUNCTION tsi.ensure_constants(timestamptz, timestamptz);
DROP FUNCTION tsi.constants_outdated(tsi.normalization_constants);
DROP FUNCTION tsi.constants_for(timestamptz, timestamptz, timestamptz);
DROP FUNCTION tsi.constants_from_history(timestamptz, timestamptz, integer, double precision);
DROP FUNCTION tsi.minutes_with_data(timestamptz, timestamptz, integer);
DROP FUNCTION tsi.final_until(timestamptz);

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

COMMIT;
