-- The reference's test vectors (§8): pure formulas directly, aggregates through real rows.
BEGIN;
SELECT plan(27);

SELECT volatility_is('diary', f, args, 'immutable', 'diary.' || f || ' is IMMUTABLE')
FROM (VALUES ('decay_weight', ARRAY['double precision', 'double precision']),
             ('shrink', ARRAY['numeric', 'numeric', 'numeric', 'numeric']),
             ('confidence', ARRAY['numeric', 'numeric']),
             ('window_delta', ARRAY['numeric', 'numeric']),
             ('implicit_rating', ARRAY['text', 'numeric']),
             ('calculate_segment_cost', ARRAY['numeric', 'numeric', 'numeric'])) AS t(f, args);

-- 1
SELECT is(diary.decay_weight(0, 21), 1.0::double precision, 'v1: weight at age 0 is 1');
SELECT is(diary.decay_weight(21, 21), 0.5::double precision, 'v1: weight at age 21 d is 0.5');
SELECT is(diary.decay_weight(42, 21), 0.25::double precision, 'v1: weight at age 42 d is 0.25');
-- 3, 4
SELECT is(round(diary.shrink(5, 1), 2), 3.33, 'v3: shrink(5, 1) = 3.33');
SELECT is(round(diary.shrink(4.5, 50), 2), 4.36, 'v4: shrink(4.5, 50) = 4.36');
SELECT is(round(diary.shrink(1, 1), 2), 2.67, 'v4: shrink(1, 1) = 2.67');
SELECT is(round(diary.shrink(1, 50), 2), 1.18, 'v4: shrink(1, 50) = 1.18');
SELECT is(diary.shrink(NULL, 0), 3.0, 'no samples: the prior 3.0');
-- 7
SELECT is(ARRAY[diary.confidence(5), diary.confidence(7), diary.confidence(10), diary.confidence(15)],
          ARRAY[0.5, 0.7, 1.0, 1.0], 'v7: confidence at n_eff 5 / 7 / 10 / 15');
-- 8
SELECT is(diary.implicit_rating('agree', 3.2), 3.2, 'v8: agree at mean 3.2 records 3.2');
SELECT is(diary.implicit_rating('safer', 4.5), 5.0, 'v8: safer at mean 4.5 records 5.0');
-- 9, 10
SELECT is(round(diary.calculate_segment_cost(200, 5.0, diary.safety_weight('balanced'))), 200::numeric, 'v9: 200 m at 5.0, balanced: 200');
SELECT is(round(diary.calculate_segment_cost(200, 1.0, diary.safety_weight('balanced'))), 280::numeric, 'v9: 200 m at 1.0, balanced: 280');
SELECT is(round(diary.calculate_segment_cost(200, 1.0, diary.safety_weight('optimal'))), 232::numeric, 'v10: 200 m at 1.0, optimal: 232');
SELECT is(round(diary.calculate_segment_cost(200, 1.0, diary.safety_weight('safest'))), 328::numeric, 'v10: 200 m at 1.0, safest: 328');
-- 11
SELECT is(ARRAY(SELECT diary.percentage(n, 140) FROM unnest(ARRAY[45, 38, 30, 15, 12]) n),
          ARRAY[32.1, 27.1, 21.4, 10.7, 8.6], 'v11: tag percentages over 140 ratings');
-- 6 (pure part)
SELECT is(diary.window_delta(4.2, NULL), 0::numeric, 'v6: an empty earlier window gives delta 0');

-- 2, 5, 6 through the tables, the triggers and analytics.segment_aggregates
INSERT INTO auth.users (user_id, email, password_hash) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'vectors@example.org', 'x');
INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES
    ('v2', 'Vector St', 100, 'SRID=4326;LINESTRING(-75.10 39.90, -75.099 39.90)'),
    ('v5', 'Vector St', 100, 'SRID=4326;LINESTRING(-75.099 39.90, -75.098 39.90)'),
    ('v6', 'Vector St', 100, 'SRID=4326;LINESTRING(-75.098 39.90, -75.097 39.90)');
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
SELECT seg, '00000000-0000-0000-0000-0000000000a1', r, now() - make_interval(days => d)
FROM (VALUES ('v2', 4, 0), ('v2', 3, 30), ('v2', 2, 90), ('v2', 5, 179),
             ('v5', 4, 5), ('v5', 5, 10), ('v5', 4, 15), ('v5', 3, 45), ('v5', 2, 60),
             ('v6', 4, 5), ('v6', 5, 10), ('v6', 2, 20)) AS t(seg, r, d);

SELECT is(decayed_mean, 3.15, 'v2: decayed_mean 3.15') FROM analytics.segment_aggregates WHERE segment_id = 'v2';
SELECT is(n_eff, 1.43, 'v2: n_eff 1.43') FROM analytics.segment_aggregates WHERE segment_id = 'v2';
SELECT is(delta_30d, 1.83, 'v5: delta_30d +1.83') FROM analytics.segment_aggregates WHERE segment_id = 'v5';
SELECT is(delta_30d, 0.00, 'v6: only ratings in the last 30 days: delta 0') FROM analytics.segment_aggregates WHERE segment_id = 'v6';

SELECT * FROM finish();
ROLLBACK;
