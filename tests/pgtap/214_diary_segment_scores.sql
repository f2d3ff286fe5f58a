-- Issue 17, finding 5: diary.segments answers the seed's analyst queries with its column names
-- (schema document §3, §7.1), copies of analytics.segment_aggregates kept current by the writes.
BEGIN;
SELECT plan(12);

INSERT INTO auth.users (user_id, email, password_hash)
SELECT ('00000000-0000-0000-0000-0000000005' || lpad(i::text, 2, '0'))::uuid, format('scorer%s@example.org', i), 'x'
FROM generate_series(1, 12) i;
INSERT INTO diary.segments (segment_id, street, length_m, geometry, updated_at)
SELECT 'sc' || i, 'Score St', 100,
       ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.4 + i * 0.001, 39.5), ST_MakePoint(-75.4 + (i + 1) * 0.001, 39.5)), 4326),
       now() - interval '1 day'
FROM generate_series(1, 3) i;

CREATE TEMP VIEW copies_differ AS
SELECT s.segment_id FROM diary.segments s JOIN analytics.segment_aggregates a USING (segment_id)
WHERE s.segment_id LIKE 'sc%'
  AND (s.decayed_mean, s.n_eff, s.confidence, s.top_tags, s.delta_30d)
      IS DISTINCT FROM (a.decayed_mean, a.n_eff, a.confidence, a.top_tags, coalesce(a.delta_30d, 0));

SELECT results_eq($$SELECT decayed_mean, n_eff, confidence, top_tags, delta_30d FROM diary.segments WHERE segment_id = 'sc3'$$,
                  $$VALUES (3.00::numeric, 0.00::numeric, 0.00::numeric, '{}'::text[], 0.00::numeric)$$,
                  'an unrated segment has the prior: decayed_mean 3.00, n_eff 0, confidence 0');

-- Twelve users rate sc1 (one with a trip over sc1 and sc2), through the API.
SELECT format($$SELECT tests.act_as_user(%L); SELECT api.submit_rating('sc1', %s, %L::text[]);$$,
              '00000000-0000-0000-0000-0000000005' || lpad(i::text, 2, '0'), 1 + i % 2,
              CASE WHEN i % 3 = 0 THEN '{dogs}' ELSE '{potholes}' END)
FROM generate_series(1, 11) i \gexec
SELECT tests.act_as_user('00000000-0000-0000-0000-000000000512');
SELECT api.submit_trip('00000000-0000-0000-0000-0000000005f1', '{sc1,sc2}', 1, '{poor_lighting}');
SELECT api.submit_vote('sc2', 'safer');
SELECT tests.act_as_nobody();

SELECT is_empty('SELECT * FROM copies_differ', 'after ratings, a trip and a vote the columns equal analytics.segment_aggregates');
SELECT is((SELECT n_eff FROM diary.segments WHERE segment_id = 'sc1'), 12.00, 'n_eff counts the 12 ratings of sc1');
SELECT is((SELECT top_tags[1] FROM diary.segments WHERE segment_id = 'sc1'), 'potholes', 'top_tags, most frequent first');
SELECT ok((SELECT scores_at FROM diary.segments WHERE segment_id = 'sc1') = now(), 'scores_at tells when they changed');
SELECT ok((SELECT updated_at FROM diary.segments WHERE segment_id = 'sc1') < now(), 'a score change is no edit of the segment: updated_at stays');

-- The seed's analyst query (§7.1), as the analyst writes it.
SET LOCAL ROLE analyst;
SELECT results_eq(
    $$SELECT segment_id::text FROM diary.segments
      WHERE ST_Intersects(geometry, ST_MakeEnvelope(-75.41, 39.49, -75.39, 39.51, 4326)) AND confidence >= 0.5 LIMIT 100$$,
    $$VALUES ('sc1')$$, 'the seed''s query runs as the analyst: the segment rated enough, nothing else');
SELECT lives_ok($$SELECT segment_id, street, decayed_mean, n_eff, confidence, top_tags, delta_30d FROM diary.segments
                  WHERE neighborhood IS NULL AND confidence >= 0.5$$, 'with every score column of §3');
RESET ROLE;

-- Deleting ratings (here: an account, with its cascade) moves the copies too.
DELETE FROM auth.users WHERE user_id = '00000000-0000-0000-0000-000000000512';
SELECT is_empty('SELECT * FROM copies_differ', 'after a deletion the columns still equal the aggregates');
SELECT is((SELECT n_eff FROM diary.segments WHERE segment_id = 'sc2'), 0.00, 'sc2 lost its only rating and vote');

-- The periodic refresh (diary-segment-scores) writes only what changed.
UPDATE diary.segments SET decayed_mean = 1.00 WHERE segment_id = 'sc1';
SELECT is(diary.refresh_segment_scores(), 1, 'the refresh rewrites the one stale row');
SELECT is(diary.refresh_segment_scores(), 0, 'and nothing when every copy is current');

SELECT * FROM finish();
ROLLBACK;
