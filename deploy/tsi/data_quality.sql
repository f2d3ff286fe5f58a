-- Deploy trafficsafety:tsi/data_quality to pg
-- Rework of release 1.0 (data_quality@v1.0.0.sql keeps the other objects of this change):
-- tsi.refresh_constants keeps constants and baselines following the data (tsi/compute_constants)
-- and rescores what they changed; the data-quality check flags the newest data still scored
-- with bootstrap constants an hour on, since constants are no longer open-ended rows.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE PROCEDURE tsi.check_data_quality(at timestamptz, INOUT logged integer DEFAULT NULL)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    c formula_config := formula_at(at);
    hour_start timestamptz := date_trunc('hour', at) - interval '1 hour';
    newest timestamptz := (SELECT max(minute) FROM features_minute);
    n integer;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    logged := 0;

    -- Intersections that fell silent while others kept sending (once per hour of silence).
    INSERT INTO data_quality_log (timestamp, intersection_id, issue_type, severity, message, metadata, data_time)
    SELECT at, i.id, 'silent_intersection', 'warning',
           format('no data from intersection %s since %s (the network''s newest data is %s)', i.id, l.last_minute, newest),
           jsonb_build_object('last_minute', l.last_minute, 'network_newest', newest), date_trunc('hour', newest)
    FROM intersections AS i
    CROSS JOIN LATERAL (SELECT max(f.minute) AS last_minute FROM features_minute AS f WHERE f.intersection_id = i.id) AS l
    WHERE l.last_minute < newest - make_interval(mins => c.silence_threshold_minutes)
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    -- Minutes of the last complete hour with fewer messages than the configured minimum.
    INSERT INTO data_quality_log (timestamp, intersection_id, issue_type, severity, message, metadata, data_time)
    SELECT at, f.intersection_id, 'sparse_minutes', 'info',
           format('%s minutes of the hour from %s had fewer than %s messages', count(*), hour_start, c.min_messages_per_minute),
           jsonb_build_object('minutes', count(*), 'min_messages_per_minute', c.min_messages_per_minute), hour_start
    FROM features_minute AS f
    WHERE f.minute >= hour_start AND f.minute < hour_start + interval '1 hour'
      AND f.bsm_count + f.psm_count < c.min_messages_per_minute
    GROUP BY f.intersection_id
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'quarantined_messages', 'warning',
           format('%s messages quarantined in the hour from %s', sum(q.n), hour_start),
           jsonb_object_agg(q.reason, q.n), hour_start
    FROM (SELECT reason, count(*) AS n FROM quarantine
          WHERE quarantined_at >= hour_start AND quarantined_at < hour_start + interval '1 hour'
          GROUP BY reason) AS q
    HAVING count(*) > 0
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'unassigned_messages', 'info',
           format('%s messages landed in the hour from %s were near no intersection', sum(unassigned), hour_start),
           jsonb_build_object('unassigned', sum(unassigned), 'landed', sum(landed)), hour_start
    FROM landed_batches
    WHERE landed_at >= hour_start AND landed_at < hour_start + interval '1 hour'
    HAVING sum(unassigned) > 0
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    -- The newest data still scored with bootstrap constants that were last computed over an hour
    -- ago: tsi.refresh_constants recomputes them every 10 minutes while more data becomes final.
    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'stale_constants', 'warning',
           format('normalisation constants %s (valid from %s) are still a bootstrap, computed %s: newest data %s',
                  k.id, k.valid_from, k.computed_at, newest),
           jsonb_build_object('constants_id', k.id), date_trunc('hour', newest)
    FROM normalization_constants AS k
    WHERE k.valid_from <= newest AND k.valid_until > newest
      AND k.is_bootstrap AND k.computed_at < at - interval '1 hour'
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;

    INSERT INTO data_quality_log (timestamp, issue_type, severity, message, metadata, data_time)
    SELECT at, 'default_partition_rows', 'error',
           format('%s rows in %s: a daily partition was missing', d.row_count, d.default_partition),
           jsonb_build_object('table', d.parent::text, 'rows', d.row_count), date_trunc('hour', at)
    FROM default_partition_rows AS d
    WHERE d.row_count > 0
    ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS n = ROW_COUNT; logged := logged + n;
END
$$;
COMMENT ON PROCEDURE tsi.check_data_quality(timestamptz, integer) IS
    'Logs data-quality events at `at`: silent intersections, sparse minutes and quarantined and unassigned messages of the last complete hour, stale constants, rows in default partitions. Each finding is logged once (per hour of data). The pg_cron job tsi-data-quality calls it every 5 minutes.';

CREATE OR REPLACE PROCEDURE tsi.refresh_constants(at timestamptz)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    final timestamptz;
    oldest timestamptz := (SELECT min(minute) FROM features_minute);
    k record;
    d timestamptz;
    n integer;
BEGIN
    IF at IS NULL THEN
        RAISE EXCEPTION 'at must not be NULL' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF oldest IS NULL THEN
        RETURN;
    END IF;
    -- Not alongside processing: it runs every minute, so wait for it (or for a backfill's slice);
    -- meanwhile process_pending skips and catches up a minute later.
    PERFORM pg_advisory_xact_lock(hashtext('tsi.process_pending'));
    final := final_until(at);

    -- Bootstrap constants, constants a new formula version's settings outdated, and constants from
    -- history that was not all final yet once more of it is (trailing history ends at valid_from, a
    -- first day's own minutes at valid_until); what they scored is rescored when they changed.
    FOR k IN
        SELECT r.id, r.valid_from, r.valid_until FROM normalization_constants AS r
        WHERE r.valid_until > oldest
          AND (r.is_bootstrap OR constants_outdated(r)
               OR (r.history_until <= r.valid_from AND r.history_until < least(r.valid_from, final))
               OR (r.history_until > r.valid_from AND r.history_until < least(r.valid_until, final)))
        ORDER BY r.valid_from
    LOOP
        IF recompute_constants(k.id, final) THEN
            CALL rescore(greatest(k.valid_from, oldest), k.valid_until, n);
        END IF;
    END LOOP;

    -- A baseline set per UTC day with data, redone while it misses hours of its trailing period,
    -- or an (intersection, local hour) of its own day that the set has no baseline for yet (it
    -- takes the day's own hour then; tsi.baselines_from_hours), until the day is rolled up.
    FOR d IN
        SELECT g.day
        FROM generate_series(date_trunc('day', oldest), date_trunc('day', final - interval '1 microsecond'), interval '1 day') AS g (day)
        WHERE EXISTS (SELECT FROM features_minute AS f WHERE f.minute >= g.day AND f.minute < g.day + interval '1 day')
          AND NOT EXISTS (
              SELECT FROM eb_baselines AS e
              WHERE e.valid_from = g.day AND e.history_until >= g.day AND e.excluded_hours = 0
                AND (e.history_until >= g.day + interval '1 day'
                     OR NOT EXISTS (SELECT FROM safety_indices_hourly AS h
                                    WHERE h.hour_timestamp >= g.day AND h.hour_timestamp < g.day + interval '1 day'
                                      AND h.avg_combined_raw IS NOT NULL
                                      AND NOT EXISTS (SELECT FROM eb_baselines AS p
                                                      WHERE p.valid_from = g.day AND p.intersection_id = h.intersection_id
                                                        AND p.hour_of_day = h.hour_of_day))))
        ORDER BY 1
    LOOP
        IF store_baselines(d) THEN
            CALL rescore(greatest(d, oldest), d + interval '1 day', n);
        END IF;
    END LOOP;
END
$$;
COMMENT ON PROCEDURE tsi.refresh_constants(timestamptz) IS
    'Brings constants and Empirical-Bayes baselines up to date with the final minutes at `at` (tsi.final_until): recomputes bootstrap constants, constants outdated by a new formula version (tsi.constants_outdated) and '
    'constants computed before their history was final (tsi.recompute_constants), and the baseline set of every UTC day with features that was computed '
    'from less than its whole trailing period or lacks an (intersection, local hour) its own rolled-up hours have (tsi.store_baselines); rescores (tsi.rescore) the minutes whose constants or baselines changed. '
    'Waits for processing''s lock. The pg_cron job tsi-recompute-constants calls it every 10 minutes with now().';

COMMIT;
