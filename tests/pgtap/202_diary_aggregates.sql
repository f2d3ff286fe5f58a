-- Incremental segment sums against an independent recomputation, the exact repair and its job.
BEGIN;
SELECT plan(12);

SELECT setseed(0.42);
INSERT INTO auth.users (user_id, email, password_hash)
SELECT ('00000000-0000-0000-0000-0000000001' || lpad(i::text, 2, '0'))::uuid, 'agg' || i || '@example.org', 'x'
FROM generate_series(1, 4) i;
INSERT INTO diary.segments (segment_id, street, length_m, geometry)
SELECT 'a' || i, 'Aggregate St', 100,
       ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.1 + i * 0.001, 39.9), ST_MakePoint(-75.1 + (i + 1) * 0.001, 39.9)), 4326)
FROM generate_series(1, 6) i;

-- Independent recomputation straight from the reference's definition.
CREATE TEMP VIEW expected AS
WITH samples AS (
    SELECT segment_id, rating::numeric AS x, submitted_at AS t FROM diary.ratings
    WHERE status = 'accepted' AND submitted_at > now() - interval '180 days'
    UNION ALL
    SELECT segment_id, implicit_rating, submitted_at FROM diary.votes WHERE submitted_at > now() - interval '180 days'
), weighted AS (
    SELECT segment_id, x, power(2::numeric, -(extract(epoch FROM now() - t) / 86400 / 21)::numeric) AS w FROM samples
)
SELECT g.segment_id::text, coalesce(sum(w), 0) AS n_eff,
       CASE WHEN sum(w) > 0 THEN (3.0 * 5 + sum(w * x)) / (5 + sum(w)) ELSE 3.0 END AS decayed_mean
FROM diary.segments g LEFT JOIN weighted USING (segment_id) GROUP BY g.segment_id;

CREATE TEMP VIEW worst_error AS
SELECT max(abs(e.n_eff - coalesce(s.sum_w * power(2, -extract(epoch FROM now() - s.ref_at) / 86400 / 21), 0)::numeric))
       + max(abs(e.decayed_mean - analytics.current_decayed_mean(e.segment_id))) AS err
FROM expected e LEFT JOIN analytics.segment_sums s ON s.segment_id = e.segment_id;

-- A random sequence of writes: ratings (some not accepted), votes, deletions, status changes.
DO $$
DECLARE
    i integer;
    op double precision;
    usr uuid;
    seg text;
BEGIN
    FOR i IN 1..400 LOOP
        op := random();
        usr := ('00000000-0000-0000-0000-0000000001' || lpad((1 + floor(random() * 4))::text, 2, '0'))::uuid;
        seg := 'a' || (1 + floor(random() * 6));
        IF op < 0.5 THEN
            INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at, status, tags)
            VALUES (seg, usr, 1 + floor(random() * 5), now() - random() * interval '175 days',
                    CASE WHEN random() < 0.85 THEN 'accepted' ELSE 'pending_review' END,
                    CASE WHEN random() < 0.5 THEN '{poor_lighting}'::text[] ELSE '{}' END)
            ON CONFLICT DO NOTHING;
        ELSIF op < 0.75 THEN
            INSERT INTO diary.votes (segment_id, user_id, action, submitted_at)
            VALUES (seg, usr, CASE WHEN random() < 0.5 THEN 'agree' ELSE 'safer' END,
                    now() - random() * interval '175 days')
            ON CONFLICT DO NOTHING;
        ELSIF op < 0.85 THEN
            DELETE FROM diary.ratings WHERE rating_id = (SELECT rating_id FROM diary.ratings ORDER BY random() LIMIT 1);
        ELSIF op < 0.93 THEN
            UPDATE diary.ratings SET status = CASE status WHEN 'accepted' THEN 'rejected' ELSE 'accepted' END
            WHERE rating_id = (SELECT rating_id FROM diary.ratings ORDER BY random() LIMIT 1);
        ELSE
            DELETE FROM diary.votes WHERE vote_id = (SELECT vote_id FROM diary.votes ORDER BY random() LIMIT 1);
        END IF;
    END LOOP;
END
$$;

SELECT cmp_ok((SELECT count(*) FROM diary.ratings) + (SELECT count(*) FROM diary.votes), '>', 150::bigint,
              'the random sequence left well over 150 ratings and votes');
SELECT cmp_ok((SELECT err FROM worst_error), '<', 1e-9::numeric,
              'after 400 random writes the running sums equal an independent recomputation');
SELECT results_eq(
    $$SELECT segment_id::text, decayed_mean, n_eff FROM analytics.segment_aggregates WHERE segment_id LIKE 'a%' ORDER BY 1$$,
    $$SELECT segment_id, round(decayed_mean, 2), round(n_eff, 2) FROM expected WHERE segment_id LIKE 'a%' ORDER BY 1$$,
    'analytics.segment_aggregates shows the recomputed decayed_mean and n_eff');

CALL analytics.repair_segment_aggregates(now());
SELECT is((SELECT repaired FROM analytics.repair_log ORDER BY run_at DESC LIMIT 1), 0,
          'the exact recompute finds nothing to repair after the random writes');

UPDATE analytics.segment_sums SET sum_w = sum_w * 2 WHERE segment_id = 'a3';
SELECT cmp_ok((SELECT err FROM worst_error), '>', 0.01::numeric, 'a corrupted row differs from the recomputation');
CALL analytics.repair_segment_aggregates(now());
SELECT is((SELECT repaired FROM analytics.repair_log ORDER BY run_at DESC LIMIT 1), 1, 'the recompute repairs exactly the corrupted row');
SELECT cmp_ok((SELECT err FROM worst_error), '<', 1e-9::numeric, 'after the repair the sums equal the recomputation again');

-- Account deletion removes the user's samples from the sums.
DELETE FROM auth.users WHERE user_id = '00000000-0000-0000-0000-000000000101';
SELECT cmp_ok((SELECT err FROM worst_error), '<', 1e-9::numeric,
              'after deleting a user with their ratings and votes the sums equal the recomputation');

-- A sample that leaves the 180-day window is dropped by the next recompute.
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
VALUES ('a6', '00000000-0000-0000-0000-000000000102', 1, now() - interval '179 days 23 hours');
CALL analytics.repair_segment_aggregates(now() + interval '2 hours');
SELECT is((SELECT n_samples FROM analytics.segment_sums WHERE segment_id = 'a6'),
          (SELECT count(*)::integer FROM (SELECT submitted_at FROM diary.ratings WHERE segment_id = 'a6' AND status = 'accepted'
                                          UNION ALL SELECT submitted_at FROM diary.votes WHERE segment_id = 'a6') s
           WHERE submitted_at > now() + interval '2 hours' - interval '180 days'),
          'the recompute two hours later no longer counts the sample that left the window');

SELECT is((SELECT schedule FROM cron.job WHERE jobname = 'diary-repair-aggregates' AND database = current_database()),
          '45 * * * *', 'the recompute is the hourly pg_cron job diary-repair-aggregates');
SELECT is((SELECT username FROM cron.job WHERE jobname = 'diary-repair-aggregates' AND database = current_database()),
          'tsdb_owner', 'and runs as the owner');
SELECT ok(NOT EXISTS (SELECT FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                      WHERE c.relname IN ('ratings', 'votes') AND NOT t.tgisinternal AND (t.tgtype & 1) = 0
                        AND t.tgfoid <> 'diary.scores_follow_writes()'::regprocedure),
          'every trigger on ratings and votes is FOR EACH ROW (no statement-level refresh), but the copy of the touched segments'' scores into diary.segments');

SELECT * FROM finish();
ROLLBACK;
