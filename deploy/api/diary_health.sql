-- Deploy trafficsafety:api/diary_health to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- SECURITY DEFINER: freshness is read over every user's rows, which no caller may read.
CREATE FUNCTION api.diary_health()
RETURNS jsonb LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT jsonb_build_object(
        'status', 'ok',
        'server_time', now(),
        'segments', (SELECT count(*) FROM diary.segments),
        'newest_rating_at', (SELECT max(submitted_at) FROM diary.ratings),
        'newest_vote_at', (SELECT max(submitted_at) FROM diary.votes),
        'aggregates_updated_at', (SELECT max(last_updated) FROM analytics.segment_sums),
        'last_repair', (SELECT jsonb_build_object('run_at', run_at, 'checked', checked, 'repaired', repaired,
                                                  'max_error', max_error)
                        FROM analytics.repair_log ORDER BY run_at DESC LIMIT 1))
$$;
COMMENT ON FUNCTION api.diary_health() IS
    'Diary freshness: segment count, newest rating and vote, when aggregates last changed, and the last exact recompute.';

COMMIT;
