-- Tables of the diary: the seed's names, the reference's fixes, constraints and cascades.
BEGIN;
SELECT plan(30);

SELECT tables_are('diary', ARRAY['segments', 'ratings', 'votes', 'routes', 'route_requests', 'tags', 'settings', 'write_limits', 'graph_nodes', 'graph_edges'], 'diary tables');
SELECT has_table('auth', 'users', 'auth.users exists');
SELECT has_table('audit', 'log', 'audit.log exists');
SELECT has_view('analytics', 'segment_aggregates', 'analytics.segment_aggregates exists');
SELECT col_type_is('diary', 'votes', 'implicit_rating', 'numeric(3,2)', 'implicit ratings are NUMERIC, not SMALLINT');
SELECT col_type_is('diary', 'segments', 'geometry', 'geometry(LineString,4326)', 'segments are WGS84 LineStrings');
SELECT is((SELECT count(*)::integer FROM diary.tags), 12, 'the tag vocabulary is seeded with the reference''s 12 tags');
SELECT ok(NOT EXISTS (SELECT FROM pg_indexes WHERE schemaname IN ('diary', 'analytics', 'auth') AND indexdef ~* 'now\('),
          'no index predicate uses now()');
SELECT is((SELECT count(DISTINCT tableowner)::integer FROM pg_tables WHERE schemaname IN ('diary', 'auth', 'analytics', 'audit') AND tableowner <> 'tsdb_owner'),
          0, 'tsdb_owner owns every diary table');
SELECT is((SELECT value FROM diary.settings WHERE key = 'decay_half_life_days'), 21::numeric, 'half-life is configuration: 21 days');
SELECT is((SELECT per_hour FROM diary.write_limits WHERE api_tier = 'free' AND action = 'rating'), 20, 'free tier: 20 ratings per hour');

INSERT INTO auth.users (user_id, email, password_hash) VALUES
    ('00000000-0000-0000-0000-0000000000b1', 'one@example.org', 'x'),
    ('00000000-0000-0000-0000-0000000000b2', 'two@example.org', 'x');
INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES
    ('t1', 'Test St', 100, 'SRID=4326;LINESTRING(-75.10 39.90, -75.099 39.90)'),
    ('t2', 'Test St', 100, 'SRID=4326;LINESTRING(-75.099 39.90, -75.098 39.90)');

SELECT throws_ok($$INSERT INTO auth.users (email, password_hash) VALUES ('One@Example.org', 'x')$$, '23514', NULL,
                 'e-mail is stored lower case');
SELECT throws_ok($$INSERT INTO auth.users (email, password_hash) VALUES ('one@example.org', 'x')$$, '23505', NULL,
                 'e-mail is unique');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating) VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 6)$$,
                 '23514', NULL, 'rating above 5 refused');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating) VALUES ('nope', '00000000-0000-0000-0000-0000000000b1', 3)$$,
                 '23503', NULL, 'rating of an unknown segment refused');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, tags) VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 3, '{sharks}')$$,
                 '22023', 'tags: unknown tag ''sharks''', 'a tag outside the vocabulary is refused');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, comment) VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 3, repeat('x', 501))$$,
                 '23514', NULL, 'a comment over 500 characters is refused');

-- Rolling-hour rule for ratings
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at) VALUES
    ('t1', '00000000-0000-0000-0000-0000000000b1', 3, now() - interval '3 hours');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
                   VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 4, now() - interval '2 hours 30 minutes')$$,
                 '23P01', NULL, 'a second rating of the segment 30 minutes later conflicts');
SELECT lives_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
                  VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 4, now() - interval '2 hours')$$,
                'a rating one hour later is accepted');
SELECT lives_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
                  VALUES ('t1', '00000000-0000-0000-0000-0000000000b2', 4, now() - interval '2 hours 30 minutes')$$,
                'another user may rate the segment within the hour');
SELECT lives_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
                  VALUES ('t2', '00000000-0000-0000-0000-0000000000b1', 4, now() - interval '2 hours 30 minutes')$$,
                'the same user may rate another segment within the hour');

-- 24-hour rule for votes
SELECT decayed_mean AS mean_before_vote FROM analytics.segment_aggregates WHERE segment_id = 't1' \gset
INSERT INTO diary.votes (segment_id, user_id, action, submitted_at) VALUES
    ('t1', '00000000-0000-0000-0000-0000000000b1', 'agree', now() - interval '30 hours');
SELECT throws_ok($$INSERT INTO diary.votes (segment_id, user_id, action, submitted_at)
                   VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 'agree', now() - interval '7 hours')$$,
                 '23P01', NULL, 'a second agree within 24 hours conflicts');
SELECT lives_ok($$INSERT INTO diary.votes (segment_id, user_id, action, submitted_at)
                  VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 'safer', now() - interval '7 hours')$$,
                'a safer vote next to an agree vote is accepted');
SELECT lives_ok($$INSERT INTO diary.votes (segment_id, user_id, action, submitted_at)
                  VALUES ('t1', '00000000-0000-0000-0000-0000000000b1', 'agree', now() - interval '6 hours')$$,
                'an agree vote 24 hours after the last is accepted');
SELECT is((SELECT implicit_rating FROM diary.votes WHERE action = 'agree' ORDER BY submitted_at LIMIT 1), :'mean_before_vote'::numeric,
          'an agree vote''s implicit rating is the segment''s decayed mean when it was cast (set by the trigger)');

-- Cascades
INSERT INTO diary.routes (route_id, user_id, route_name, segment_ids, geometry, length_m, duration_min)
VALUES ('00000000-0000-0000-0000-0000000000c1', '00000000-0000-0000-0000-0000000000b1', 'r', '{t1}',
        'SRID=4326;LINESTRING(-75.10 39.90, -75.099 39.90)', 100, 1.2);
UPDATE diary.ratings SET route_id = '00000000-0000-0000-0000-0000000000c1' WHERE user_id = '00000000-0000-0000-0000-0000000000b2';
DELETE FROM diary.routes WHERE route_id = '00000000-0000-0000-0000-0000000000c1';
SELECT is((SELECT count(*)::integer FROM diary.ratings WHERE user_id = '00000000-0000-0000-0000-0000000000b2' AND route_id IS NULL), 1,
          'deleting a route keeps its ratings (route_id set NULL)');
DELETE FROM auth.users WHERE user_id = '00000000-0000-0000-0000-0000000000b1';
SELECT is((SELECT count(*)::integer FROM diary.ratings WHERE user_id = '00000000-0000-0000-0000-0000000000b1')
          + (SELECT count(*)::integer FROM diary.votes WHERE user_id = '00000000-0000-0000-0000-0000000000b1'), 0,
          'deleting a user deletes their ratings and votes');
DELETE FROM diary.segments WHERE segment_id = 't1';
SELECT is((SELECT count(*)::integer FROM diary.ratings WHERE segment_id = 't1'), 0, 'deleting a segment deletes its ratings');
SELECT is((SELECT count(*)::integer FROM analytics.segment_sums WHERE segment_id = 't1'), 0, 'and its sums');
UPDATE diary.segments SET street = 'Renamed St' WHERE segment_id = 't2';
SELECT ok((SELECT updated_at FROM diary.segments WHERE segment_id = 't2') >= now(), 'updating a segment touches updated_at');

SELECT * FROM finish();
ROLLBACK;
