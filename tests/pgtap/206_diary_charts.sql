-- Charts: route trend (daily and pooled rolling window), route tags (reference vector 11),
-- coverage heat map (only cells that touch segments, bbox cap).
BEGIN;
SELECT plan(15);

INSERT INTO auth.users (user_id, email, password_hash) VALUES
    ('00000000-0000-0000-0000-0000000000c7', 'charts@example.org', 'x'),
    ('00000000-0000-0000-0000-0000000000c8', 'other@example.org', 'x');
INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES
    ('c1', 'Chart St', 86, 'SRID=4326;LINESTRING(-75.300 39.050, -75.299 39.050)'),
    ('c2', 'Chart St', 86, 'SRID=4326;LINESTRING(-75.299 39.050, -75.298 39.050)'),
    ('c3', 'Tag St', 86, 'SRID=4326;LINESTRING(-75.300 39.060, -75.299 39.060)'),
    ('c4', 'Tag St', 86, 'SRID=4326;LINESTRING(-75.299 39.060, -75.298 39.060)'),
    ('c5', 'Tiny St', 4, 'SRID=4326;LINESTRING(-75.20910 39.00010, -75.20905 39.00010)');
INSERT INTO diary.routes (route_id, user_id, route_name, segment_ids, geometry, length_m, duration_min, is_public) VALUES
    ('00000000-0000-0000-0000-0000000000a7', '00000000-0000-0000-0000-0000000000c7', 'trend', '{c1,c2}',
     'SRID=4326;LINESTRING(-75.300 39.050, -75.298 39.050)', 172, 2.1, false),
    ('00000000-0000-0000-0000-0000000000a8', '00000000-0000-0000-0000-0000000000c7', 'tags', '{c3,c4}',
     'SRID=4326;LINESTRING(-75.300 39.060, -75.298 39.060)', 172, 2.1, true);

-- Trend: day A has 2 and 4, day B (5 days later) has 5.
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at) VALUES
    ('c1', '00000000-0000-0000-0000-0000000000c7', 2, now() - interval '10 days'),
    ('c2', '00000000-0000-0000-0000-0000000000c7', 4, now() - interval '10 days'),
    ('c1', '00000000-0000-0000-0000-0000000000c7', 5, now() - interval '5 days');

-- Tags: 140 ratings; tags on the first 45 / 38 / 30 / 15 / 12 of them.
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at, tags)
SELECT CASE WHEN i % 2 = 0 THEN 'c3' ELSE 'c4' END, '00000000-0000-0000-0000-0000000000c8', 3, now() - make_interval(hours => i),
       ARRAY(SELECT tag FROM (VALUES ('poor_lighting', 45), ('speeding_cars', 38), ('potholes', 30), ('dogs', 15), ('no_sidewalk', 12)) t(tag, n)
             WHERE i <= n)
FROM generate_series(1, 140) i;
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at) VALUES
    ('c5', '00000000-0000-0000-0000-0000000000c7', 4, now() - interval '1 hour'),
    ('c5', '00000000-0000-0000-0000-0000000000c7', 4, now() - interval '3 hours'),
    ('c5', '00000000-0000-0000-0000-0000000000c7', 4, now() - interval '5 hours');
SELECT n_eff AS c5_n_eff FROM analytics.segment_aggregates WHERE segment_id = 'c5' \gset

SELECT tests.act_as_user('00000000-0000-0000-0000-0000000000c7');
SELECT results_eq(
    $$SELECT mean_rating, std_error, n_samples, confidence FROM api.route_trend('00000000-0000-0000-0000-0000000000a7') ORDER BY day$$,
    $$VALUES (3.00, 1.00, 2::bigint, 0.20), (5.00, NULL, 1::bigint, 0.10)$$,
    'trend per day: mean, stddev / √n, n and confidence');
SELECT results_eq(
    $$SELECT rolling_mean, rolling_std_error, rolling_n FROM api.route_trend('00000000-0000-0000-0000-0000000000a7', 30) ORDER BY day$$,
    $$VALUES (3.00, 1.00, 2::bigint), (3.67, 0.88, 3::bigint)$$,
    'a 30-day window pools the samples of both days');
SELECT results_eq(
    $$SELECT rolling_mean FROM api.route_trend('00000000-0000-0000-0000-0000000000a7', 2) ORDER BY day$$,
    $$VALUES (3.00), (5.00)$$,
    'a 2-day window keeps the days apart');
SELECT throws_ok($$SELECT * FROM api.route_trend('00000000-0000-0000-0000-0000000000a7', 0)$$, '22023',
                 'window_days: must be between 1 and 180', 'window_days is checked');

SELECT results_eq(
    $$SELECT tag, count, percentage FROM api.route_tags('00000000-0000-0000-0000-0000000000a8')$$,
    $$VALUES ('poor_lighting', 45::bigint, 32.1), ('speeding_cars', 38::bigint, 27.1), ('potholes', 30::bigint, 21.4),
             ('dogs', 15::bigint, 10.7), ('no_sidewalk', 12::bigint, 8.6)$$,
    'v11: tag counts 45, 38, 30, 15, 12 over 140 ratings: 32.1, 27.1, 21.4, 10.7, 8.6 %');
SELECT is((SELECT count(*)::integer FROM api.route_tags('00000000-0000-0000-0000-0000000000a8', 2)), 2, 'top_n limits the tags');

-- Visibility: anonymous callers chart public routes only.
SELECT tests.act_as_anon();
SELECT throws_ok($$SELECT * FROM api.route_trend('00000000-0000-0000-0000-0000000000a7')$$, 'PT404', NULL,
                 'anonymous: a private route''s trend is not found');
SELECT is((SELECT count(*)::integer FROM api.route_tags('00000000-0000-0000-0000-0000000000a8')), 5, 'anonymous: a public route''s tags');

-- Coverage
SELECT is((SELECT count(*)::integer FROM api.coverage('-75.2100,39.0000,-75.2000,39.0100', 50)), 1,
          'only the one cell that touches a segment is reported');
SELECT results_eq(
    $$SELECT cell_x, cell_y, segment_count, total_samples FROM api.coverage('-75.2100,39.0000,-75.2000,39.0100', 50)$$,
    $$VALUES (1, 0, 1::bigint, 3::bigint)$$, 'the cell, its segment count and samples');
SELECT is((SELECT mean_confidence FROM api.coverage('-75.2100,39.0000,-75.2000,39.0100', 50)),
          round(least(1, :'c5_n_eff'::numeric / 10), 2), 'mean confidence = min(1, mean n_eff / 10)');
SELECT ok((SELECT abs(center_lng - (-75.20907)) < 0.0005 AND abs(center_lat - 39.0001) < 0.0005
           FROM api.coverage('-75.2100,39.0000,-75.2000,39.0100', 50)), 'the cell centre is near the segment');
SELECT is((SELECT count(*)::integer FROM api.coverage('-75.2090,39.0050,-75.2000,39.0100', 50)), 0, 'no segments: no cells');
SELECT throws_ok($$SELECT * FROM api.coverage('-75.3,39.0,-75.1,39.1', 50)$$, '22023', 'bbox: at most 100 km²', 'a bbox over 100 km² is refused');
SELECT throws_ok($$SELECT * FROM api.coverage('-75.2100,39.0000,-75.2000,39.0100', 5)$$, '22023', 'grid_size: must be between 10 and 1000', 'grid size is checked');

SELECT * FROM finish();
ROLLBACK;
