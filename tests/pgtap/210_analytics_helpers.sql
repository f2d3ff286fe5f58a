-- The running decayed sums behind the diary's scores, called directly and through their triggers:
-- analytics.add_sample, analytics.exact_segment_sums, analytics.ratings_changed,
-- analytics.votes_changed and analytics.vote_implicit_rating. With the half-life of 21 days a
-- sample 21 days old weighs exactly 0.5, so the expected sums below are exact.
BEGIN;
SELECT plan(40);

-- A segment's running sums (n, sum_w, sum_wx) rescaled to now, rounded to 9 decimals.
CREATE FUNCTION pg_temp.sums(seg text) RETURNS numeric[] LANGUAGE sql AS $$
    SELECT ARRAY[s.n_samples,
                 round((s.sum_w * diary.decay_weight(extract(epoch FROM now() - s.ref_at) / 86400, 21))::numeric, 9),
                 round((s.sum_wx * diary.decay_weight(extract(epoch FROM now() - s.ref_at) / 86400, 21))::numeric, 9)]
    FROM analytics.segment_sums s WHERE s.segment_id = seg
$$;
-- The exact sums of a segment at p_at, rounded the same way.
CREATE FUNCTION pg_temp.exact(seg text, p_at timestamptz) RETURNS numeric[] LANGUAGE sql AS $$
    SELECT ARRAY[e.n_samples, round(e.sum_w::numeric, 9), round(e.sum_wx::numeric, 9)]
    FROM analytics.exact_segment_sums(p_at) e WHERE e.segment_id = seg
$$;

INSERT INTO auth.users (user_id, email, password_hash)
SELECT ('00000000-0000-0000-0000-0000000002' || lpad(i::text, 2, '0'))::uuid, 'sums' || i || '@example.org', 'x'
FROM generate_series(1, 4) i;
INSERT INTO diary.segments (segment_id, street, length_m, geometry)
SELECT id, 'Sum St', 85, ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.6 + k * 0.001, 39.4), ST_MakePoint(-75.6 + (k + 1) * 0.001, 39.4)), 4326)
FROM unnest(ARRAY['s1', 's9', 'e1', 'e2', 'e3', 'r1', 'r2', 't1', 'q1', 'q2', 'q3']) WITH ORDINALITY AS x(id, k);

-- analytics.add_sample ------------------------------------------------------------------------------
SELECT analytics.add_sample('s1', now(), 4, 1);
SELECT results_eq($$SELECT ref_at, sum_w, sum_wx, n_samples, last_updated FROM analytics.segment_sums WHERE segment_id = 's1'$$,
                  $$VALUES (now(), 1::float8, 4::float8, 1, now())$$,
                  'analytics.add_sample: the first sample makes the row, weight 1 at ref_at = now');
SELECT analytics.add_sample('s1', now() - interval '21 days', 2, 1);
SELECT is(pg_temp.sums('s1'), ARRAY[2, 1.5, 5]::numeric[], 'analytics.add_sample: a sample 21 days old adds weight 0.5 and 0.5 × value');
SELECT analytics.add_sample('s1', now() - interval '21 days', 2, -1);
SELECT is(pg_temp.sums('s1'), ARRAY[1, 1, 4]::numeric[], 'analytics.add_sample with sign -1 removes the sample again');
SELECT analytics.add_sample('s1', now() - interval '181 days', 5, 1);
SELECT is(pg_temp.sums('s1'), ARRAY[1, 1, 4]::numeric[], 'analytics.add_sample skips a sample older than window_days (180)');
SELECT analytics.add_sample('s1', now() - interval '180 days', 5, 1);
SELECT is(pg_temp.sums('s1'), ARRAY[1, 1, 4]::numeric[], 'analytics.add_sample: a sample exactly window_days old is outside');
SELECT analytics.add_sample('s1', now() - interval '179 days', 5, 1);
SELECT is((pg_temp.sums('s1'))[1], 2::numeric, 'analytics.add_sample: a sample 179 days old counts');
SELECT analytics.add_sample('s1', now() - interval '179 days', 5, -1);
SELECT analytics.add_sample('s9', now(), 3, -1);
SELECT is_empty($$SELECT FROM analytics.segment_sums WHERE segment_id = 's9'$$,
                'analytics.add_sample: removing from a segment without sums makes no row (a cascade may be deleting it)');

UPDATE analytics.segment_sums SET ref_at = now() - interval '21 days', sum_w = 1, sum_wx = 4 WHERE segment_id = 's1';
SELECT analytics.add_sample('s1', now(), 2, 1);
SELECT results_eq($$SELECT ref_at, sum_w, sum_wx FROM analytics.segment_sums WHERE segment_id = 's1'$$,
                  $$VALUES (now(), 1.5::float8, 4::float8)$$,
                  'analytics.add_sample moves ref_at forward to now, decaying the old sums (× 0.5 after 21 days) before adding');
UPDATE analytics.segment_sums SET ref_at = now() + interval '21 days', sum_w = 1, sum_wx = 4 WHERE segment_id = 's1';
SELECT analytics.add_sample('s1', now(), 2, 1);
SELECT results_eq($$SELECT ref_at, sum_w, sum_wx FROM analytics.segment_sums WHERE segment_id = 's1'$$,
                  $$VALUES (now() + interval '21 days', 1.5::float8, 5::float8)$$,
                  'analytics.add_sample never moves ref_at back: a sample before a later ref_at is weighted at it (0.5)');

-- analytics.exact_segment_sums ------------------------------------------------------------------------
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at, status) VALUES
    ('e1', '00000000-0000-0000-0000-000000000201', 4, now() - interval '21 days', 'accepted'),
    ('e1', '00000000-0000-0000-0000-000000000202', 2, now(), 'accepted'),
    ('e1', '00000000-0000-0000-0000-000000000203', 1, now() - interval '1 hour', 'pending_review'),
    ('e1', '00000000-0000-0000-0000-000000000204', 5, now() - interval '200 days', 'accepted');
INSERT INTO diary.votes (segment_id, user_id, action) VALUES ('e2', '00000000-0000-0000-0000-000000000201', 'agree');
SELECT is(pg_temp.exact('e1', now()), ARRAY[2, 1.5, 4]::numeric[],
          'analytics.exact_segment_sums: accepted ratings of the window only (not pending, not 200 days old), decayed');
SELECT is(pg_temp.exact('e2', now()), ARRAY[1, 1, 3]::numeric[], 'analytics.exact_segment_sums counts votes at their implicit rating');
SELECT is_empty($$SELECT FROM analytics.exact_segment_sums(now()) WHERE segment_id = 'e3'$$,
                'analytics.exact_segment_sums: a segment without samples has no row');
SELECT is(pg_temp.exact('e1', now() + interval '21 days'), ARRAY[2, 0.75, 2]::numeric[],
          'analytics.exact_segment_sums at a later time: every weight halves after another half-life');
SELECT is((pg_temp.exact('e1', now() + interval '160 days'))[1], 1::numeric,
          'analytics.exact_segment_sums: 160 days later the sample then 181 days old has left the window');
SELECT is(pg_temp.exact('e1', now()), pg_temp.sums('e1'), 'analytics.exact_segment_sums agrees with the running sums the triggers kept');
SELECT volatility_is('analytics', 'exact_segment_sums', ARRAY['timestamp with time zone'], 'stable',
                     'analytics.exact_segment_sums is STABLE (reads, writes nothing)');
UPDATE diary.settings SET value = 42 WHERE key = 'decay_half_life_days';
SELECT is(pg_temp.exact('e1', now()), ARRAY[2, round((1 + power(2, -0.5))::numeric, 9), round((2 + 4 * power(2, -0.5))::numeric, 9)],
          'analytics.exact_segment_sums reads decay_half_life_days from diary.settings (42: 21 days weigh 2^-0.5)');
UPDATE diary.settings SET value = 21 WHERE key = 'decay_half_life_days';

-- analytics.ratings_changed ---------------------------------------------------------------------------
SELECT trigger_is('diary', 'ratings', 'ratings_segment_sums', 'analytics', 'ratings_changed',
                  'ratings_segment_sums runs analytics.ratings_changed');
INSERT INTO diary.ratings (rating_id, segment_id, user_id, rating, submitted_at) VALUES
    ('00000000-0000-0000-0000-0000000002a1', 'r1', '00000000-0000-0000-0000-000000000201', 4, now());
SELECT is(pg_temp.sums('r1'), ARRAY[1, 1, 4]::numeric[], 'analytics.ratings_changed: an accepted rating is added');
INSERT INTO diary.ratings (rating_id, segment_id, user_id, rating, submitted_at, status) VALUES
    ('00000000-0000-0000-0000-0000000002a2', 'r1', '00000000-0000-0000-0000-000000000202', 2, now(), 'pending_review');
SELECT is(pg_temp.sums('r1'), ARRAY[1, 1, 4]::numeric[], 'analytics.ratings_changed: a rating pending review is not');
UPDATE diary.ratings SET status = 'accepted' WHERE rating_id = '00000000-0000-0000-0000-0000000002a2';
SELECT is(pg_temp.sums('r1'), ARRAY[2, 2, 6]::numeric[], 'analytics.ratings_changed: accepting it adds it');
UPDATE diary.ratings SET rating = 5 WHERE rating_id = '00000000-0000-0000-0000-0000000002a1';
SELECT is(pg_temp.sums('r1'), ARRAY[2, 2, 7]::numeric[], 'analytics.ratings_changed: a changed value replaces the old one');
UPDATE diary.ratings SET status = 'rejected' WHERE rating_id = '00000000-0000-0000-0000-0000000002a1';
SELECT is(pg_temp.sums('r1'), ARRAY[1, 1, 2]::numeric[], 'analytics.ratings_changed: rejecting an accepted rating removes it');
UPDATE diary.ratings SET rating = 1 WHERE rating_id = '00000000-0000-0000-0000-0000000002a1';
SELECT is(pg_temp.sums('r1'), ARRAY[1, 1, 2]::numeric[], 'analytics.ratings_changed: changing a rejected rating changes nothing');
UPDATE diary.ratings SET submitted_at = now() - interval '21 days' WHERE rating_id = '00000000-0000-0000-0000-0000000002a2';
SELECT is(pg_temp.sums('r1'), ARRAY[1, 0.5, 1]::numeric[], 'analytics.ratings_changed: an earlier submitted_at re-weights the sample');
UPDATE diary.ratings SET segment_id = 'r2' WHERE rating_id = '00000000-0000-0000-0000-0000000002a2';
SELECT is(ARRAY[pg_temp.sums('r1'), pg_temp.sums('r2')], ARRAY[ARRAY[0, 0, 0], ARRAY[1, 0.5, 1]]::numeric[],
          'analytics.ratings_changed: moving a rating to another segment moves its sample');
DELETE FROM diary.ratings WHERE rating_id = '00000000-0000-0000-0000-0000000002a2';
SELECT is(pg_temp.sums('r2'), ARRAY[0, 0, 0]::numeric[], 'analytics.ratings_changed: a deleted rating is removed');
SELECT is(pg_temp.exact('r1', now()), NULL::numeric[], 'and the exact sums agree: no samples left on r1');

-- analytics.vote_implicit_rating -------------------------------------------------------------------------
SELECT trigger_is('diary', 'votes', 'votes_implicit_rating', 'analytics', 'vote_implicit_rating',
                  'votes_implicit_rating runs analytics.vote_implicit_rating');
INSERT INTO diary.votes (segment_id, user_id, action, implicit_rating) VALUES
    ('q1', '00000000-0000-0000-0000-000000000201', 'agree', 1), ('q1', '00000000-0000-0000-0000-000000000202', 'safer', 1);
SELECT results_eq($$SELECT action::text, implicit_rating FROM diary.votes WHERE segment_id = 'q1' ORDER BY action$$,
                  $$VALUES ('agree', 3.00), ('safer', 4.00)$$,
                  'analytics.vote_implicit_rating: on an unrated segment agree is the prior 3.00 and safer 4.00, whatever the client sent');
INSERT INTO diary.ratings (segment_id, user_id, rating) VALUES ('q2', '00000000-0000-0000-0000-000000000203', 2);
INSERT INTO diary.votes (segment_id, user_id, action) VALUES
    ('q2', '00000000-0000-0000-0000-000000000201', 'agree'), ('q2', '00000000-0000-0000-0000-000000000202', 'safer');
SELECT results_eq($$SELECT action::text, implicit_rating FROM diary.votes WHERE segment_id = 'q2' ORDER BY action$$,
                  $$VALUES ('agree', round((3.0 * 5 + 2) / 6, 2)), ('safer', round((3.0 * 5 + 2) / 6, 2) + 1)$$,
                  'analytics.vote_implicit_rating: the decayed, shrunk mean of one rating 2 (17/6 = 2.83) and 3.83');
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
SELECT 'q3', '00000000-0000-0000-0000-000000000204', 5, now() - make_interval(hours => i) FROM generate_series(0, 19) i;
INSERT INTO diary.votes (segment_id, user_id, action) VALUES ('q3', '00000000-0000-0000-0000-000000000201', 'safer');
SELECT is((SELECT implicit_rating FROM diary.votes WHERE segment_id = 'q3'), 5.00,
          'analytics.vote_implicit_rating: safer is capped at 5 on a segment scored above 4');

-- analytics.votes_changed ---------------------------------------------------------------------------------
SELECT trigger_is('diary', 'votes', 'votes_segment_sums', 'analytics', 'votes_changed',
                  'votes_segment_sums runs analytics.votes_changed');
INSERT INTO diary.votes (vote_id, segment_id, user_id, action) VALUES
    ('00000000-0000-0000-0000-0000000002b1', 't1', '00000000-0000-0000-0000-000000000201', 'agree');
SELECT is(pg_temp.sums('t1'), ARRAY[1, 1, 3]::numeric[], 'analytics.votes_changed: a vote adds its implicit rating');
UPDATE diary.votes SET submitted_at = now() - interval '21 days' WHERE vote_id = '00000000-0000-0000-0000-0000000002b1';
SELECT is(pg_temp.sums('t1'), ARRAY[1, 0.5, 1.5]::numeric[], 'analytics.votes_changed: an earlier submitted_at re-weights it');
UPDATE diary.votes SET implicit_rating = 5 WHERE vote_id = '00000000-0000-0000-0000-0000000002b1';
SELECT is(pg_temp.sums('t1'), ARRAY[1, 0.5, 2.5]::numeric[], 'analytics.votes_changed: a changed implicit rating replaces the old one');
UPDATE diary.votes SET segment_id = 'r1' WHERE vote_id = '00000000-0000-0000-0000-0000000002b1';
SELECT is(ARRAY[pg_temp.sums('t1'), pg_temp.sums('r1')], ARRAY[ARRAY[0, 0, 0], ARRAY[1, 0.5, 2.5]]::numeric[],
          'analytics.votes_changed: moving a vote to another segment moves its sample');
DELETE FROM diary.votes WHERE vote_id = '00000000-0000-0000-0000-0000000002b1';
SELECT is(pg_temp.sums('r1'), ARRAY[0, 0, 0]::numeric[], 'analytics.votes_changed: a deleted vote is removed');
SELECT is(pg_temp.exact('t1', now()), NULL::numeric[], 'and the exact sums agree: no samples left on t1');

-- The triggers keep the sums equal to the exact recompute for every segment written above.
SELECT is_empty($$SELECT segment_id FROM analytics.exact_segment_sums(now()) e
                  WHERE segment_id LIKE ANY (ARRAY['e_', 'q_', 'r_', 't_'])
                    AND pg_temp.exact(segment_id, now()) IS DISTINCT FROM pg_temp.sums(segment_id)$$,
                'analytics.exact_segment_sums equals the running sums of every segment the triggers maintained');

SELECT * FROM finish();
ROLLBACK;
