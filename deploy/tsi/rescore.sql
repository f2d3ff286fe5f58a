-- Deploy trafficsafety:tsi/rescore to pg
-- Rescoring from the stored 1-minute features (kept 31 days), no raw messages needed: after a
-- change of constants, baselines or formula for a period, its 1-minute rows, the hourly and
-- daily rollups of its hours and days, and the current-status snapshot are recomputed. Minutes
-- older than the 1-minute rows' retention are scored into recreated day partitions, which roll
-- up their hours and are dropped again by the next maintenance (tsi.maintain_partitions).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE PROCEDURE tsi.rescore(from_ts timestamptz, to_ts timestamptz, INOUT rescored integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    n integer;
    wm timestamptz;
BEGIN
    IF from_ts IS NULL OR to_ts IS NULL OR to_ts <= from_ts THEN
        RAISE EXCEPTION 'rescore needs from_ts < to_ts, got [%, %)', from_ts, to_ts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    from_ts := date_trunc('minute', from_ts);
    to_ts := date_trunc('minute', to_ts - interval '1 microsecond') + interval '1 minute';
    PERFORM create_daily_partitions('tsi.safety_indices_realtime', (from_ts AT TIME ZONE 'UTC')::date,
                                    (to_ts AT TIME ZONE 'UTC')::date);
    -- Constants a new formula version's settings (window, period, percentile) outdated are
    -- recomputed first: the minutes are scored with the formula and the constants it implies.
    PERFORM recompute_constants(c.id, final_until(now()))
    FROM normalization_constants AS c
    WHERE c.valid_until > from_ts AND c.valid_from < to_ts AND constants_outdated(c)
    ORDER BY c.valid_from;
    rescored := score_range(from_ts, to_ts);
    -- The rolled-up hours and days whose minutes changed (dirty), without advancing a watermark.
    wm := (SELECT watermark FROM rollup_watermarks WHERE rollup = 'hourly');
    CALL rollup_hourly(wm, n);
    wm := (SELECT watermark FROM rollup_watermarks WHERE rollup = 'daily');
    CALL rollup_daily(wm, n);
    IF rescored > 0 THEN
        CALL refresh_current_status();
    END IF;
END
$$;
COMMENT ON PROCEDURE tsi.rescore(timestamptz, timestamptz, integer) IS
    'Rescores the minutes of [from_ts, to_ts) from the stored features (tsi.features_minute, kept 31 days) with the formula, constants and baselines '
    'in force at each minute: the 1-minute rows, the hourly and daily rollups of the hours and days that changed, and the current-status snapshot. '
    'Constants of the range that a new formula version''s normalisation settings outdated (tsi.constants_outdated) are recomputed first. '
    'Each row keeps naming the formula_version and constants_id it was scored with. Returns the 1-minute rows changed. '
    'For DBAs after a new formula_config version or a correction of constants; tsi.refresh_constants calls it when it replaced constants or baselines.';

COMMIT;
