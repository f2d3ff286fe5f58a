-- The API's write functions as a logged-in user: validation naming field and rule, 404, 409,
-- idempotent retries, trip fan-out, votes, write limits; segment reads with their filters.
BEGIN;
SELECT plan(36);

INSERT INTO auth.users (user_id, email, password_hash) VALUES
    ('00000000-0000-0000-0000-0000000000e1', 'writer@example.org', 'x');
INSERT INTO diary.segments (segment_id, street, length_m, geometry, created_at, updated_at)
SELECT 'w' || i, 'Write St', 100,
       ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.1 + i * 0.001, 39.9), ST_MakePoint(-75.1 + (i + 1) * 0.001, 39.9)), 4326),
       now() - interval '1 day', now() - interval '1 day'
FROM generate_series(1, 5) i;
SELECT round(diary.shrink(2, 1), 2) AS mean_of_one_2 \gset
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000000e1');

-- Validation: 22023 (400) with "field: rule"
SELECT throws_ok($$SELECT api.submit_rating('w1', 6)$$, '22023', 'rating: must be an integer from 1 (unsafe) to 5 (safe)', 'rating out of range');
SELECT throws_ok($$SELECT api.submit_rating('w1', NULL)$$, '22023', 'rating: must be an integer from 1 (unsafe) to 5 (safe)', 'rating missing');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, '{dogs,sharks}')$$, '22023', 'tags: unknown tag ''sharks''', 'unknown tag');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, '{dogs,potholes,other,no_sidewalk,poor_lighting,speeding_cars}')$$, '22023', 'tags: at most 5 tags', 'six tags');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, '{dogs,dogs}')$$, '22023', 'tags: a tag may appear once', 'repeated tag');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, comment => repeat('x', 501))$$, '22023', 'comment: at most 500 characters', 'long comment');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, submitted_at => now() + interval '1 hour')$$, '22023', 'submitted_at: must not be in the future', 'future time');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, submitted_at => now() - interval '25 hours')$$, '22023', 'submitted_at: must not be older than 24 hours', 'time too old');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, device => 'watch')$$, '22023', 'device: must be mobile, desktop or tablet', 'unknown device');
SELECT throws_ok($$SELECT api.submit_rating('nowhere', 3)$$, 'PT404', 'segment_id: no segment ''nowhere''', 'unknown segment: 404');
SELECT throws_ok($$SELECT api.submit_rating('w1', 3, route_id => '00000000-0000-0000-0000-00000000ffff')$$, 'PT404', NULL, 'unknown route: 404');

-- Idempotent submission and duplicates
SELECT is((api.submit_rating('w1', 2, '{poor_lighting}', '<b>dark</b>', '00000000-0000-0000-0000-0000000000f1') ->> 'created')::boolean,
          true, 'a rating with a client rating_id is created');
SELECT is((api.submit_rating('w1', 2, '{poor_lighting}', '<b>dark</b>', '00000000-0000-0000-0000-0000000000f1') ->> 'created')::boolean,
          false, 'the retry with the same rating_id returns the existing rating');
SELECT is((SELECT count(*)::integer FROM api.my_ratings), 1, 'and creates nothing');
SELECT is((SELECT comment FROM api.my_ratings), '<b>dark</b>', 'the comment is stored raw (escaped on output, not input)');
SELECT throws_ok($$SELECT api.submit_rating('w1', 4)$$, '23505', NULL, 'a second rating of the segment within the hour: 409');
SELECT is((SELECT decayed_mean FROM api.segments('-75.2,39.8,-75.0,40.0') WHERE segment_id = 'w1'), :'mean_of_one_2'::numeric,
          'the segment''s score reflects the rating at once');

-- Trips
SELECT throws_ok($$SELECT api.submit_trip(NULL, '{w2,w3}', 4)$$, '22023', NULL, 'a trip needs a submission_id');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-0000000000f2', '{w2,w3,w4}', 4,
                   overrides => '[{"segment_id":"w2","rating":1},{"segment_id":"w3","rating":1},{"segment_id":"w4","rating":1}]')$$,
                 '22023', 'overrides: at most 2 per trip', 'at most 2 overrides');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-0000000000f2', '{w2,w3}', 4, overrides => '[{"segment_id":"w5","rating":1}]')$$,
                 '22023', 'overrides: each override names a segment of segment_ids', 'an override off the trip');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-0000000000f2', '{w2,zz}', 4)$$, 'PT404', 'segment_ids: no segment ''zz''', 'unknown segment in a trip');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-0000000000f2', '{w2,w2}', 4)$$, '22023', NULL, 'a segment twice in a trip');
SELECT is(jsonb_array_length(api.submit_trip('00000000-0000-0000-0000-0000000000f2', '{w2,w3,w4}', 4, '{dogs}',
                                             overrides => '[{"segment_id":"w3","rating":1}]') -> 'ratings'), 3,
          'a trip over 3 segments fans out to 3 ratings');
SELECT results_eq($$SELECT segment_id::text, rating::integer FROM api.my_ratings WHERE submission_id = '00000000-0000-0000-0000-0000000000f2' ORDER BY 1$$,
                  $$VALUES ('w2', 4), ('w3', 1), ('w4', 4)$$, 'the override rates its segment, the others get the overall rating');
SELECT is((api.submit_trip('00000000-0000-0000-0000-0000000000f2', '{w2,w3,w4}', 4) ->> 'created')::boolean, false,
          'a retried trip returns the existing ratings');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-0000000000f3', '{w4,w5}', 4)$$, '23505', NULL,
                 'a trip over a segment rated within the hour: 409');

-- Votes
SELECT throws_ok($$SELECT api.submit_vote('w1', 'meh')$$, '22023', 'action: must be agree or safer', 'unknown vote action');
SELECT is((api.submit_vote('w1', 'agree') ->> 'implicit_rating')::numeric, :'mean_of_one_2'::numeric,
          'agree records the current decayed mean');
SELECT decayed_mean AS mean_after_agree FROM api.segments('-75.2,39.8,-75.0,40.0') WHERE segment_id = 'w1' \gset
SELECT is((api.submit_vote('w1', 'safer') ->> 'implicit_rating')::numeric, :'mean_after_agree'::numeric + 1,
          'safer records the current mean + 1');
SELECT throws_ok($$SELECT api.submit_vote('w1', 'agree')$$, '23505', NULL, 'a second agree within 24 hours: 409');

-- Segment reads
SELECT throws_ok($$SELECT * FROM api.segments('1,2,3')$$, '22023', 'bbox: must be four numbers west,south,east,north', 'a bbox of three numbers');
SELECT throws_ok($$SELECT * FROM api.segments('-75,40,-76,41')$$, '22023', 'bbox: west < east and south < north', 'a reversed bbox');
SELECT throws_ok($$SELECT * FROM api.segments('-75.2,39.8,-75.0,40.0', 2)$$, '22023', 'min_confidence: must be between 0 and 1', 'min_confidence above 1');
SELECT is((SELECT count(*)::integer FROM api.segments('-75.2,39.8,-75.0,40.0', 0.2)), 1, 'min_confidence keeps the segments rated enough (w1: 3 samples)');
SELECT is((SELECT count(*)::integer FROM api.segments('-75.2,39.8,-75.0,40.0', updated_after => now() - interval '1 second')), 4,
          'updated_after keeps segments whose scores changed since (w1..w4)');

-- Write limits: the free tier allows 20 ratings per rolling hour (each rating of a trip counts).
SELECT tests.act_as_nobody();
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at, created_at)
SELECT 'w5', '00000000-0000-0000-0000-0000000000e1', 3, now() - make_interval(hours => 1 + i), now() - interval '10 minutes'
FROM generate_series(1, 16) i;  -- with the rating and the trip's 3 above: 20
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000000e1');
SELECT throws_ok($$SELECT api.submit_rating('w5', 3)$$, 'PGRST', NULL, 'the 21st rating in an hour is refused (HTTP 429)');

SELECT * FROM finish();
ROLLBACK;
