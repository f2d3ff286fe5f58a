-- Deploy trafficsafety:tsi/archive_consistency to pg
-- Dual-write consistency (design document §6.1 phase 2, §9.1): the collector copies the archive's
-- messages of some hours into tsi.archive_check_staging and calls tsi.check_archive_consistency,
-- which compares them per hour and message type with what the database holds. A message is
-- recognised by the database's own rules, read by the same functions tsi.land_batch uses: a
-- BSM/PSM by the raw tables' de-duplication key (receipt second of the VCC timestamp, temporary
-- id, msgCnt, secMark), a SPaT state by (spat_time, intersection), a rejected message by the
-- quarantine's payload hash. Valid MapData is not compared: the database keeps only the current
-- intersection rows.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE UNLOGGED TABLE tsi.archive_check_staging (
    check_id     uuid NOT NULL,
    msg_type     text NOT NULL,
    received_at  timestamptz NOT NULL,
    payload      jsonb NOT NULL
);
CREATE INDEX idx_archive_check_staging ON tsi.archive_check_staging (check_id);
COMMENT ON TABLE tsi.archive_check_staging IS
    'Archived messages copied in by `collector check-consistency` for one check; emptied by tsi.check_archive_consistency in the same transaction.';

CREATE TABLE tsi.archive_consistency (
    hour                 timestamptz NOT NULL,
    msg_type             text NOT NULL CHECK (msg_type IN ('bsm', 'psm', 'mapdata', 'spat')),
    checked_at           timestamptz NOT NULL DEFAULT now(),
    comparable           boolean NOT NULL,
    archived             integer NOT NULL,
    archived_distinct    integer NOT NULL,
    in_database          integer NOT NULL,
    missing_in_database  integer NOT NULL,
    missing_in_archive   integer NOT NULL,
    examples             jsonb,
    PRIMARY KEY (hour, msg_type)
);
COMMENT ON TABLE tsi.archive_consistency IS
    'Latest result of the archive/database consistency check per hour (UTC, of the message time) and message type.';
COMMENT ON COLUMN tsi.archive_consistency.comparable IS
    'Whether the database still holds the hour''s landed messages (false: its raw partition was dropped, or MapData, kept only as the current intersections); quarantined messages are compared either way.';
COMMENT ON COLUMN tsi.archive_consistency.archived IS 'Message identities the archive holds for the hour, repeats included (a SPaT message counts once per intersection).';
COMMENT ON COLUMN tsi.archive_consistency.archived_distinct IS 'Distinct message identities in the archive for the hour.';
COMMENT ON COLUMN tsi.archive_consistency.in_database IS 'Distinct message identities the database holds for the hour (raw rows and quarantined messages).';
COMMENT ON COLUMN tsi.archive_consistency.missing_in_database IS 'Archived identities the database does not hold.';
COMMENT ON COLUMN tsi.archive_consistency.missing_in_archive IS 'Identities the database holds that the archive does not.';
COMMENT ON COLUMN tsi.archive_consistency.examples IS 'Up to five identities of each kind of difference.';

-- What the monitoring reads (tsdb_archive_consistency_differences{msg_type}): the differences
-- of the hours checked in the last day, and when the check last ran.
CREATE VIEW tsi.archive_consistency_status AS
SELECT t.msg_type,
       coalesce(sum(c.missing_in_database + c.missing_in_archive), 0)::bigint AS differences,
       coalesce(sum(c.missing_in_database), 0)::bigint AS missing_in_database,
       coalesce(sum(c.missing_in_archive), 0)::bigint AS missing_in_archive,
       count(c.hour) AS hours_checked,
       max(c.checked_at) AS last_checked_at
FROM (VALUES ('bsm'), ('psm'), ('mapdata'), ('spat')) AS t (msg_type)
LEFT JOIN tsi.archive_consistency AS c ON c.msg_type = t.msg_type AND c.checked_at > now() - interval '1 day'
GROUP BY t.msg_type;
COMMENT ON VIEW tsi.archive_consistency_status IS
    'Per message type: archive/database differences found by the checks of the last day, and the time of the last check (the metric tsdb_archive_consistency_differences).';

CREATE FUNCTION tsi.check_archive_consistency(check_id uuid, from_hour timestamptz, to_hour timestamptz)
RETURNS TABLE (hour timestamptz, msg_type text, comparable boolean, archived integer, archived_distinct integer,
               in_database integer, missing_in_database integer, missing_in_archive integer, examples jsonb)
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = tsi, public, pg_temp
SET TimeZone = 'UTC'
AS $$
BEGIN
    IF check_id IS NULL OR from_hour IS NULL OR to_hour IS NULL OR to_hour <= from_hour
       OR from_hour <> date_trunc('hour', from_hour) OR to_hour <> date_trunc('hour', to_hour) THEN
        RAISE EXCEPTION 'check_archive_consistency: whole hours from < to expected, got % .. %', from_hour, to_hour
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    DROP TABLE IF EXISTS pg_temp.ac_archive, pg_temp.ac_database, pg_temp.ac_result;  -- a second call in one transaction
    -- The archive's identities (with their number of copies): each staged message read as
    -- tsi.land_batch reads it. Temporary tables with statistics, not CTEs: estimated blind, the
    -- anti-joins below were planned as merge joins on the hour alone (minutes for five hours).
    CREATE TEMP TABLE ac_archive ON COMMIT DROP AS
    WITH staged AS (
        DELETE FROM tsi.archive_check_staging AS s WHERE s.check_id = check_archive_consistency.check_id
        RETURNING s.msg_type, s.received_at, s.payload
    ), checked AS (
        SELECT s.msg_type, s.received_at, s.payload, v.ts, v.object_id, v.msg_cnt, v.sec_mark,
               CASE s.msg_type WHEN 'mapdata' THEN check_mapdata(s.payload)
                               WHEN 'spat' THEN check_spat(s.payload)
                               ELSE v.problem END AS problem
        FROM staged AS s CROSS JOIN LATERAL read_v2x(s.msg_type, s.payload, s.received_at) AS v
    ), ids AS (
    SELECT c.msg_type, 'raw' AS kind, date_trunc('hour', c.ts) AS hour,
           concat_ws('/', date_trunc('second', c.ts), c.object_id, c.msg_cnt, c.sec_mark) AS key
    FROM checked AS c WHERE c.problem IS NULL AND c.msg_type IN ('bsm', 'psm')
    UNION ALL
    SELECT 'spat', 'raw', date_trunc('hour', t.spat_time), concat_ws('/', t.spat_time, t.intersection_id)
    FROM checked AS c
    CROSS JOIN LATERAL jsonb_array_elements(c.payload -> 'intersections') AS i
    CROSS JOIN LATERAL (SELECT spat_time(json_integer(i -> 'moy'), json_integer(i -> 'timeStamp'), c.received_at) AS spat_time,
                               json_integer(i -> 'id' -> 'id') AS intersection_id) AS t
    WHERE c.msg_type = 'spat' AND c.problem IS NULL
    UNION ALL
    SELECT c.msg_type, 'quarantine', date_trunc('hour', c.received_at),
           encode(sha256(convert_to(c.msg_type || ':' || c.payload::text, 'UTF8')), 'hex')
    FROM checked AS c WHERE c.problem IS NOT NULL
    )
    SELECT i.msg_type, i.kind, i.hour, i.key, count(*) AS n
    FROM ids AS i WHERE i.hour >= from_hour AND i.hour < to_hour
    GROUP BY 1, 2, 3, 4;
    ANALYZE pg_temp.ac_archive;

    -- The database's identities of the same hours.
    CREATE TEMP TABLE ac_database ON COMMIT DROP AS
    SELECT DISTINCT * FROM (
    SELECT 'bsm' AS msg_type, 'raw' AS kind, date_trunc('hour', b.ts_second) AS hour,
           concat_ws('/', b.ts_second, b.vehicle_id, b.msg_cnt, b.sec_mark) AS key
    FROM tsi.bsm_messages AS b WHERE b.ts_second >= from_hour AND b.ts_second < to_hour
    UNION ALL
    SELECT 'psm', 'raw', date_trunc('hour', p.ts_second), concat_ws('/', p.ts_second, p.psm_id, p.msg_cnt, p.sec_mark)
    FROM tsi.psm_messages AS p WHERE p.ts_second >= from_hour AND p.ts_second < to_hour
    UNION ALL
    SELECT 'spat', 'raw', date_trunc('hour', s.spat_time), concat_ws('/', s.spat_time, s.intersection_id)
    FROM tsi.spat_messages AS s WHERE s.spat_time >= from_hour AND s.spat_time < to_hour
    UNION ALL
    SELECT q.msg_type, 'quarantine', date_trunc('hour', q.received_at), encode(q.payload_hash, 'hex')
    FROM tsi.quarantine AS q WHERE q.received_at >= from_hour AND q.received_at < to_hour
    ) AS x;
    ANALYZE pg_temp.ac_database;

    -- Set-based (hash joins, no per-hour subqueries): an hour at the stream rate holds ~10^5 messages.
    CREATE TEMP TABLE ac_result ON COMMIT DROP AS
    WITH a AS NOT MATERIALIZED (SELECT * FROM pg_temp.ac_archive),
         d AS NOT MATERIALIZED (SELECT * FROM pg_temp.ac_database), grid AS (
        SELECT h AS hour, t.msg_type,
               -- the raw rows of the hour are still kept (the partition of its day exists)
               t.parent IS NOT NULL
               AND to_regclass('tsi.' || partition_name(t.parent, (h AT TIME ZONE 'UTC')::date)) IS NOT NULL AS comparable
        FROM generate_series(from_hour, to_hour - interval '1 hour', interval '1 hour') AS h
        CROSS JOIN (VALUES ('bsm', 'tsi.bsm_messages'::regclass), ('psm', 'tsi.psm_messages'::regclass),
                           ('mapdata', NULL), ('spat', 'tsi.spat_messages'::regclass)) AS t (msg_type, parent)
    ), not_in_database AS (
        SELECT a.msg_type, a.hour, a.kind || ':' || a.key AS k
        FROM a JOIN grid AS g USING (hour, msg_type)
        WHERE a.kind = 'raw' AND g.comparable
          AND NOT EXISTS (SELECT FROM d WHERE d.msg_type = a.msg_type AND d.kind = 'raw' AND d.hour = a.hour AND d.key = a.key)
        UNION ALL
        SELECT a.msg_type, a.hour, a.kind || ':' || a.key
        FROM a
        WHERE a.kind = 'quarantine'  -- kept once, at its first receipt, whichever hour that was
          AND NOT EXISTS (SELECT FROM tsi.quarantine AS q WHERE q.payload_hash = decode(a.key, 'hex'))
    ), not_in_archive AS (
        SELECT d.msg_type, d.hour, d.kind || ':' || d.key AS k
        FROM d JOIN grid AS g USING (hour, msg_type)
        WHERE (g.comparable OR d.kind = 'quarantine')
          AND NOT EXISTS (SELECT FROM a WHERE a.msg_type = d.msg_type AND a.kind = d.kind AND a.hour = d.hour AND a.key = d.key)
    ), sa AS (
        SELECT a.hour, a.msg_type, sum(a.n) AS archived, count(*) AS archived_distinct FROM a GROUP BY 1, 2
    ), sd AS (
        SELECT d.hour, d.msg_type, count(*) AS in_database FROM d GROUP BY 1, 2
    ), snd AS (
        SELECT x.hour, x.msg_type, count(*) AS n, (array_agg(x.k ORDER BY x.k))[1:5] AS ex FROM not_in_database AS x GROUP BY 1, 2
    ), sna AS (
        SELECT x.hour, x.msg_type, count(*) AS n, (array_agg(x.k ORDER BY x.k))[1:5] AS ex FROM not_in_archive AS x GROUP BY 1, 2
    )
    SELECT g.hour, g.msg_type, g.comparable,
           coalesce(sa.archived, 0)::integer AS archived, coalesce(sa.archived_distinct, 0)::integer AS archived_distinct,
           coalesce(sd.in_database, 0)::integer AS in_database,
           coalesce(snd.n, 0)::integer AS missing_in_database, coalesce(sna.n, 0)::integer AS missing_in_archive,
           CASE WHEN snd.n IS NOT NULL OR sna.n IS NOT NULL THEN
               jsonb_build_object('not_in_database', to_jsonb(coalesce(snd.ex, '{}')),
                                  'not_in_archive', to_jsonb(coalesce(sna.ex, '{}'))) END AS examples
    FROM grid AS g
    LEFT JOIN sa USING (hour, msg_type) LEFT JOIN sd USING (hour, msg_type)
    LEFT JOIN snd USING (hour, msg_type) LEFT JOIN sna USING (hour, msg_type);

    INSERT INTO tsi.archive_consistency AS c (hour, msg_type, comparable, archived, archived_distinct, in_database,
                                              missing_in_database, missing_in_archive, examples)
    SELECT r.hour, r.msg_type, r.comparable, r.archived, r.archived_distinct, r.in_database,
           r.missing_in_database, r.missing_in_archive, r.examples
    FROM pg_temp.ac_result AS r
    ON CONFLICT ON CONSTRAINT archive_consistency_pkey DO UPDATE
    SET checked_at = now(), comparable = EXCLUDED.comparable, archived = EXCLUDED.archived,
        archived_distinct = EXCLUDED.archived_distinct, in_database = EXCLUDED.in_database,
        missing_in_database = EXCLUDED.missing_in_database, missing_in_archive = EXCLUDED.missing_in_archive,
        examples = EXCLUDED.examples;

    -- One data-quality row per difference (hour, message type, direction); a check run again
    -- over the same hour updates its rows.
    INSERT INTO tsi.data_quality_log AS l (issue_type, severity, message, metadata, data_time)
    SELECT format('archive_%s_not_in_%s', r.msg_type, x.side), 'error',
           format('%s %s message(s) of the hour %s are in the %s but not in the %s', x.n, r.msg_type,
                  to_char(r.hour, 'YYYY-MM-DD HH24:00 UTC'), x.other, x.side),
           jsonb_build_object('msg_type', r.msg_type, 'count', x.n, 'examples', r.examples -> ('not_in_' || x.side)),
           r.hour
    FROM pg_temp.ac_result AS r
    CROSS JOIN LATERAL (VALUES ('database', 'archive', r.missing_in_database),
                               ('archive', 'database', r.missing_in_archive)) AS x (side, other, n)
    WHERE x.n > 0
    ON CONFLICT (issue_type, coalesce(intersection_id, -1), data_time) WHERE data_time IS NOT NULL DO UPDATE
    SET timestamp = now(), message = EXCLUDED.message, metadata = EXCLUDED.metadata;

    RETURN QUERY SELECT r.* FROM pg_temp.ac_result AS r ORDER BY r.hour, r.msg_type;
END
$$;
COMMENT ON FUNCTION tsi.check_archive_consistency(uuid, timestamptz, timestamptz) IS
    'Compares the archived messages staged under check_id with the database, per hour [from_hour, to_hour) and message type; records each hour in tsi.archive_consistency and each difference in tsi.data_quality_log; returns the hours.';

COMMIT;
