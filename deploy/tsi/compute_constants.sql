-- Deploy trafficsafety:tsi/compute_constants to pg
-- Normalisation constants and Empirical-Bayes baselines from the stored history (reference §3),
-- with a life cycle that follows the data:
-- * Constants are valid for whole UTC days: day D is scored with constants of the final
--   (processed) minutes of the trailing period [D - normalization_period_days, D). Where that
--   holds fewer than normalization_min_minutes minutes with data (the first data there is, or
--   history landed before everything else), the day's own final minutes are added.
-- * Constants from fewer minutes than that are a bootstrap, logged; like constants computed
--   before all their history was final, they are recomputed by tsi.refresh_constants and what
--   they scored is rescored. A row covers only its own day, so history that lands later gets
--   rows of its own instead of being scored with whatever row existed first.
-- * Baselines are one set per UTC day from the trailing period's hourly rollups, leaving out
--   hours scored with bootstrap constants.
-- Rework of release 1.0, whose rows ran from the computation time on and whose first bootstrap
-- row covered everything before it (-infinity).
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP FUNCTION tsi.recompute_baselines(timestamptz);
DROP FUNCTION tsi.ensure_constants(timestamptz);
DROP FUNCTION tsi.recompute_constants(timestamptz);
DROP FUNCTION tsi.store_constants(timestamptz, timestamptz, timestamptz, timestamptz);

-- Release 1.0 left the newest row open (valid_until NULL): it ends with its day now, so every
-- later day gets constants of its own.
UPDATE tsi.normalization_constants
SET valid_until = date_trunc('day', greatest(valid_from, now()), 'UTC') + interval '1 day'
WHERE valid_until IS NULL;

-- The minutes before it are final: processed, no message of them waiting (tsi.pending_minutes).
CREATE FUNCTION tsi.final_until(at timestamptz)
RETURNS timestamptz
LANGUAGE sql STABLE
AS $$
    SELECT least(date_trunc('minute', at), (SELECT min(p.minute) FROM tsi.pending_minutes AS p))
$$;
COMMENT ON FUNCTION tsi.final_until(timestamptz) IS
    'End of the final minutes at `at`: the oldest minute with messages waiting to be processed, or `at` (to the minute). Constants and baselines are computed from final minutes only.';

CREATE FUNCTION tsi.minutes_with_data(from_ts timestamptz, to_ts timestamptz, enough integer)
RETURNS integer
LANGUAGE sql STABLE
AS $$
    -- Stops counting at `enough`: only whether a period holds enough matters.
    SELECT count(*)::integer FROM (
        SELECT DISTINCT f.minute FROM tsi.features_minute AS f WHERE f.minute >= from_ts AND f.minute < to_ts LIMIT enough
    ) AS m
$$;
COMMENT ON FUNCTION tsi.minutes_with_data(timestamptz, timestamptz, integer) IS
    'Minutes of [from_ts, to_ts) with features of any intersection, counted up to `enough`.';

CREATE OR REPLACE FUNCTION tsi.constants_from_history(history_from timestamptz, history_until timestamptz, window_minutes integer,
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

CREATE FUNCTION tsi.constants_for(valid_from timestamptz, valid_until timestamptz, final_until timestamptz)
RETURNS TABLE (constants jsonb, sample_windows bigint, history_from timestamptz, history_until timestamptz, is_bootstrap boolean,
               formula_version integer)
LANGUAGE plpgsql STABLE
SET TimeZone = 'UTC'
AS $$
DECLARE
    c tsi.formula_config := tsi.formula_at(valid_from);
    h_from timestamptz := valid_from - make_interval(days => c.normalization_period_days);
    h_until timestamptz := least(valid_from, final_until);
    enough boolean := tsi.minutes_with_data(h_from, h_until, c.normalization_min_minutes) >= c.normalization_min_minutes;
BEGIN
    IF NOT enough THEN
        -- The first data there is: the period's own final minutes as well.
        h_until := greatest(h_until, least(valid_until, final_until));
        enough := tsi.minutes_with_data(h_from, h_until, c.normalization_min_minutes) >= c.normalization_min_minutes;
    END IF;
    RETURN QUERY
    SELECT k.constants, k.sample_windows, h_from, h_until, NOT enough, c.formula_version
    FROM tsi.constants_from_history(h_from, h_until, c.window_minutes, c.speed_ref_percentile) AS k;
END
$$;
COMMENT ON FUNCTION tsi.constants_for(timestamptz, timestamptz, timestamptz) IS
    'Normalisation constants for [valid_from, valid_until): from the final minutes (before final_until) of the trailing period of the formula in force, '
    'plus the period''s own final minutes where the trailing period has fewer than normalization_min_minutes minutes with data; '
    'is_bootstrap when even then it has fewer. history_until <= valid_from means trailing history only; formula_version: the version whose settings were used.';

-- Whether a row of constants was computed with other settings than the formula now in force at its
-- start has (a new formula version changed the period, window, speed percentile or minimum history).
CREATE FUNCTION tsi.constants_outdated(n tsi.normalization_constants)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
    -- A row without a version (set by hand, e.g. a DBA's correction) is left as it is.
    SELECT coalesce((
        SELECT (now.window_minutes, now.normalization_period_days, now.speed_ref_percentile, now.normalization_min_minutes)
               IS DISTINCT FROM
               (was.window_minutes, was.normalization_period_days, was.speed_ref_percentile, was.normalization_min_minutes)
        FROM tsi.formula_config AS was, tsi.formula_at(n.valid_from) AS now
        WHERE was.formula_version = n.formula_version), false)
$$;
COMMENT ON FUNCTION tsi.constants_outdated(tsi.normalization_constants) IS
    'True when the row''s constants were computed with normalisation settings (window_minutes, normalization_period_days, speed_ref_percentile, '
    'normalization_min_minutes) other than those of the formula version now in force at its valid_from: tsi.rescore and tsi.refresh_constants recompute it. '
    'False for a row without a formula_version (set by hand).';

-- Makes sure every minute of [from_ts, to_ts) has constants: each uncovered stretch of a day gets
-- a row of its own, from history up to to_ts (the range's features are being computed) but not
-- past a minute before the range that still waits to be processed.
CREATE FUNCTION tsi.ensure_constants(from_ts timestamptz, to_ts timestamptz)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    final timestamptz := least(to_ts, (SELECT min(p.minute) FROM tsi.pending_minutes AS p WHERE p.minute < from_ts));
    m timestamptz := from_ts;
    gap_from timestamptz;
    gap_until timestamptz;
    k record;
    new_id integer;
    made integer := 0;
BEGIN
    WHILE m < to_ts LOOP
        -- skip what is covered
        SELECT n.valid_until INTO gap_until FROM tsi.normalization_constants AS n
        WHERE n.valid_from <= m AND (n.valid_until IS NULL OR n.valid_until > m);
        IF FOUND THEN
            EXIT WHEN gap_until IS NULL;
            m := gap_until;
            CONTINUE;
        END IF;
        -- a day without data in the range needs none (the range reaches past the data by a window)
        IF NOT EXISTS (SELECT FROM tsi.features_minute AS f
                       WHERE f.minute >= m AND f.minute < least(to_ts, date_trunc('day', m) + interval '1 day')) THEN
            m := date_trunc('day', m) + interval '1 day';
            CONTINUE;
        END IF;
        gap_from := greatest(date_trunc('day', m),
                             (SELECT max(n.valid_until) FROM tsi.normalization_constants AS n WHERE n.valid_until <= m));
        gap_until := least(date_trunc('day', m) + interval '1 day',
                           (SELECT min(n.valid_from) FROM tsi.normalization_constants AS n WHERE n.valid_from > m));
        SELECT * INTO k FROM tsi.constants_for(gap_from, gap_until, final);
        INSERT INTO tsi.normalization_constants (constants, valid_from, valid_until, is_bootstrap,
                                                history_from, history_until, sample_windows, formula_version)
        VALUES (k.constants, gap_from, gap_until, k.is_bootstrap, k.history_from, k.history_until, k.sample_windows,
                k.formula_version)
        RETURNING id INTO new_id;
        IF k.is_bootstrap THEN
            INSERT INTO tsi.data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
            VALUES (gap_from, 'constants_bootstrap', 'warning',
                    format('bootstrap normalisation constants %s for [%s, %s) computed from %s windows of less than %s minutes with data; '
                           'replaced once the history has enough', new_id, gap_from, gap_until, k.sample_windows,
                           (tsi.formula_at(gap_from)).normalization_min_minutes),
                    jsonb_build_object('constants_id', new_id, 'constants', k.constants, 'valid_from', gap_from, 'valid_until', gap_until),
                    gap_from)
            ON CONFLICT DO NOTHING;
        END IF;
        made := made + 1;
        m := gap_until;
    END LOOP;
    RETURN made;
END
$$;
COMMENT ON FUNCTION tsi.ensure_constants(timestamptz, timestamptz) IS
    'Gives every minute of [from_ts, to_ts) normalisation constants: each stretch of a UTC day no row covers gets one (tsi.constants_for), '
    'a bootstrap logged to data_quality_log. Returns the rows made.';

-- Replaces the constants of row `id` by what its period gives now; true when they changed
-- (the caller rescores the period). Logged when a bootstrap is replaced.
CREATE FUNCTION tsi.recompute_constants(id integer, final_until timestamptz)
RETURNS boolean
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    old tsi.normalization_constants;
    k record;
BEGIN
    SELECT * INTO STRICT old FROM tsi.normalization_constants AS n WHERE n.id = recompute_constants.id FOR UPDATE;
    SELECT * INTO k FROM tsi.constants_for(old.valid_from, old.valid_until, final_until);
    UPDATE tsi.normalization_constants AS n
    SET constants = k.constants, is_bootstrap = k.is_bootstrap, history_from = k.history_from,
        history_until = k.history_until, sample_windows = k.sample_windows, formula_version = k.formula_version,
        computed_at = now()
    WHERE n.id = old.id;
    IF old.is_bootstrap AND NOT k.is_bootstrap THEN
        INSERT INTO tsi.data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
        VALUES (final_until, 'constants_bootstrap_replaced', 'info',
                format('bootstrap normalisation constants %s for [%s, %s) replaced by constants from %s windows of [%s, %s); its minutes rescored',
                       old.id, old.valid_from, old.valid_until, k.sample_windows, k.history_from, k.history_until),
                jsonb_build_object('constants_id', old.id, 'bootstrap', old.constants, 'constants', k.constants),
                old.valid_from)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN k.constants IS DISTINCT FROM old.constants;
END
$$;
COMMENT ON FUNCTION tsi.recompute_constants(integer, timestamptz) IS
    'Recomputes the constants of one row for its own period from what is final before final_until (tsi.constants_for), in place; logs a replaced bootstrap. True when the constants changed: its minutes need rescoring.';

-- One baseline set per UTC day from the trailing period's hourly rollups; hours whose minutes
-- were scored with bootstrap constants are left out (and counted, so the set is redone later).
-- An (intersection, local hour) the trailing period never saw (a first day, or history that
-- starts at some hour) takes the day's own hour, as a first day's constants take its own
-- minutes: the intersection's all-day mean would pull its night toward its rush hours.
CREATE FUNCTION tsi.baselines_from_hours(valid_from timestamptz)
RETURNS SETOF tsi.eb_baselines
LANGUAGE sql STABLE
AS $$
    WITH hours AS (
        SELECT h.*, h.hour_timestamp >= valid_from AS own,
               EXISTS (SELECT FROM tsi.normalization_constants AS k
                       WHERE k.is_bootstrap AND k.valid_from < h.hour_timestamp + interval '1 hour'
                         AND k.valid_until > h.hour_timestamp) AS bootstrap_scored
        FROM tsi.safety_indices_hourly AS h
        WHERE h.hour_timestamp >= valid_from - make_interval(days => (tsi.formula_at(valid_from)).normalization_period_days)
          AND h.hour_timestamp < valid_from + interval '1 day' AND h.avg_combined_raw IS NOT NULL
    ), wanted AS (
        -- the trailing period's hours, and the day's own for the (intersection, hour) it lacks
        SELECT h.* FROM hours AS h
        WHERE NOT h.own
           OR NOT EXISTS (SELECT FROM hours AS t
                          WHERE NOT t.own AND NOT t.bootstrap_scored
                            AND t.intersection_id = h.intersection_id AND t.hour_of_day = h.hour_of_day)
    ), complete AS (
        -- rolled up and not waiting to be rolled up again: up to valid_from, or to the day's end when
        -- it took own hours
        SELECT least(CASE WHEN EXISTS (SELECT FROM wanted WHERE own AND NOT bootstrap_scored)
                          THEN valid_from + interval '1 day' ELSE valid_from END,
                     (SELECT w.watermark FROM tsi.rollup_watermarks AS w WHERE w.rollup = 'hourly'),
                     (SELECT min(d.hour_timestamp) FROM tsi.dirty_hours AS d)) AS until,
               (SELECT count(*) FILTER (WHERE bootstrap_scored)::integer FROM wanted) AS excluded
    )
    SELECT valid_from, h.intersection_id, h.hour_of_day,
           sum(h.avg_combined_raw * h.minutes_with_data) / sum(h.minutes_with_data),
           sum(h.avg_vru_raw * h.minutes_with_data) / sum(h.minutes_with_data),
           sum(h.avg_vehicle_raw * h.minutes_with_data) / sum(h.minutes_with_data),
           sum(h.minutes_with_data)::bigint, now(), (SELECT until FROM complete), (SELECT excluded FROM complete)
    FROM wanted AS h
    WHERE NOT h.bootstrap_scored
    GROUP BY GROUPING SETS ((h.intersection_id, h.hour_of_day), (h.intersection_id), ())
    HAVING sum(h.minutes_with_data) > 0
$$;
COMMENT ON FUNCTION tsi.baselines_from_hours(timestamptz) IS
    'The Empirical-Bayes baseline set valid from `valid_from`: minute-weighted mean raw indices of the trailing period''s hourly rollups per (intersection, local hour), '
    'per intersection and for the network, leaving out hours scored with bootstrap constants (excluded_hours). An (intersection, local hour) the trailing period lacks '
    'takes the set''s own day''s hour instead (a first day, history that starts mid-day). history_until = the end of the final hourly rollups (the hourly watermark '
    'or the first hour waiting to be rolled up again), at most valid_from, or at most the day''s end when own hours were taken.';

CREATE FUNCTION tsi.store_baselines(valid_from timestamptz)
RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
    changed boolean;
BEGIN
    SELECT EXISTS (
        (SELECT n.intersection_id, n.hour_of_day, n.combined_baseline, n.vru_baseline, n.vehicle_baseline
         FROM tsi.baselines_from_hours(valid_from) AS n
         EXCEPT
         SELECT e.intersection_id, e.hour_of_day, e.combined_baseline, e.vru_baseline, e.vehicle_baseline
         FROM tsi.eb_baselines AS e WHERE e.valid_from = store_baselines.valid_from)
        UNION ALL
        (SELECT e.intersection_id, e.hour_of_day, e.combined_baseline, e.vru_baseline, e.vehicle_baseline
         FROM tsi.eb_baselines AS e WHERE e.valid_from = store_baselines.valid_from
         EXCEPT
         SELECT n.intersection_id, n.hour_of_day, n.combined_baseline, n.vru_baseline, n.vehicle_baseline
         FROM tsi.baselines_from_hours(valid_from) AS n)) INTO changed;
    DELETE FROM tsi.eb_baselines AS e WHERE e.valid_from = store_baselines.valid_from;
    INSERT INTO tsi.eb_baselines SELECT * FROM tsi.baselines_from_hours(valid_from);
    RETURN changed;
END
$$;
COMMENT ON FUNCTION tsi.store_baselines(timestamptz) IS
    'Computes the Empirical-Bayes baseline set valid from `valid_from` (a UTC midnight) from the hourly rollups of the trailing period up to the hourly watermark, '
    'leaving out hours scored with bootstrap constants (excluded_hours), and replaces the stored set. True when the baselines changed: the day needs rescoring.';

COMMIT;
