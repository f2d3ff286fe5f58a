-- Deploy trafficsafety:tsi/processing to pg
-- Orchestration of processing: a range by hand, or every pending minute (pg_cron). Re-running a
-- range gives identical rows, and a late message re-marks its minute.
-- Rework of release 1.0: the indices of a processed range are scored by tsi.score_range, the
-- same path as rescoring (tsi.rescore), and constants and baselines whose history it changed are
-- marked for tsi.refresh_constants.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Orchestration --------------------------------------------------------------------------

CREATE OR REPLACE PROCEDURE tsi.process_range(from_ts timestamptz, to_ts timestamptz, reassign boolean DEFAULT true)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
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

    -- Features one formula version at a time; then the indices of every window that contains a
    -- minute of the range (the window's minutes after the range see its new features).
    PERFORM compute_features(greatest(v.effective_from, from_ts), least(v.effective_until, to_ts))
    FROM (SELECT * FROM formula_periods AS v WHERE v.effective_from < to_ts AND v.effective_until > from_ts
          ORDER BY v.effective_from) AS v;
    -- Constants and baselines computed from these minutes' old features are no longer final:
    -- their history ends just before the range now, and tsi.refresh_constants redoes them (late
    -- PSMs of a backfill left a day's constants without VRU events otherwise).
    UPDATE normalization_constants SET history_until = from_ts - interval '1 microsecond'
    WHERE history_from < to_ts AND history_until > from_ts;
    UPDATE eb_baselines AS e SET history_until = from_ts - interval '1 microsecond'
    WHERE e.valid_from > from_ts
      AND e.valid_from - make_interval(days => (formula_at(e.valid_from)).normalization_period_days) < to_ts
      AND e.history_until > from_ts;
    PERFORM score_range(from_ts, to_ts + window_len - interval '1 minute');
END
$$;
COMMENT ON PROCEDURE tsi.process_range(timestamptz, timestamptz, boolean) IS
    'Processes the minutes in [from_ts, to_ts): assigns messages that have no intersection yet (reassign), recomputes the 1-minute features and the indices of every window that contains one of these minutes. Reads no clock: re-running a range gives identical rows.';

CREATE OR REPLACE PROCEDURE tsi.process_pending(max_minutes integer DEFAULT 240, INOUT processed integer DEFAULT NULL)
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
