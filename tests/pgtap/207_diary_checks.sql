-- The diary's shared checks and small helpers, called directly (the API tests reach them only
-- through api.*): diary.setting, diary.span_hours, diary.touch_updated_at, diary.invalid,
-- diary.not_found, diary.check_tags (and its trigger diary.ratings_check_tags),
-- diary.require_segment, diary.check_rating_fields, diary.check_between, diary.bbox_envelope
-- and diary.enforce_write_limit. Every error is checked for SQLSTATE, message and the
-- "field: …" hint PostgREST passes on.
BEGIN;
SELECT plan(89);

-- The SQLSTATE, message, detail and hint a statement raises (NULL when it succeeds).
CREATE FUNCTION pg_temp.error_of(statement text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN jsonb_build_object('sqlstate', st, 'message', msg, 'detail', nullif(det, ''), 'hint', nullif(hnt, ''));
END
$$;

INSERT INTO auth.users (user_id, email, password_hash, api_tier) VALUES
    ('00000000-0000-0000-0000-000000000207', 'checks@example.org', 'x', 'free'),
    ('00000000-0000-0000-0000-000000000208', 'premium@example.org', 'x', 'premium');
INSERT INTO diary.segments (segment_id, street, length_m, geometry, created_at, updated_at) VALUES
    ('k1', 'Check St', 85, 'SRID=4326;LINESTRING(-75.400 39.500, -75.399 39.500)', now() - interval '2 days', now() - interval '2 days'),
    ('k2', 'Check St', 85, 'SRID=4326;LINESTRING(-75.399 39.500, -75.398 39.500)', now() - interval '2 days', now() - interval '2 days');

-- diary.setting ---------------------------------------------------------------------------------
SELECT is(diary.setting('decay_half_life_days'), 21::numeric, 'diary.setting reads a configured value (half-life 21 days)');
SELECT is(diary.setting('no_such_setting'), NULL::numeric, 'diary.setting of an unknown key is NULL');
UPDATE diary.settings SET value = 14 WHERE key = 'decay_half_life_days';
SELECT is(diary.setting('decay_half_life_days'), 14::numeric, 'diary.setting follows a change of diary.settings');
UPDATE diary.settings SET value = 21 WHERE key = 'decay_half_life_days';

-- diary.span_hours ------------------------------------------------------------------------------
SELECT is(diary.span_hours('2026-06-01 10:00+00', 1), tstzrange('2026-06-01 10:00+00', '2026-06-01 11:00+00', '[)'),
          'diary.span_hours is the half-open span [from, from + hours)');
SELECT ok(NOT (diary.span_hours('2026-06-01 10:00+00', 1) && diary.span_hours('2026-06-01 11:00+00', 1)),
          'diary.span_hours: spans that only touch do not overlap');
SELECT ok(diary.span_hours('2026-06-01 10:00+00', 1) && diary.span_hours('2026-06-01 10:59:59+00', 1),
          'diary.span_hours: spans 59:59 apart overlap');
SET LOCAL TimeZone = 'America/New_York';
SELECT is(extract(epoch FROM upper(diary.span_hours('2026-03-07 12:00-05', 24)) - lower(diary.span_hours('2026-03-07 12:00-05', 24))),
          86400::numeric, 'diary.span_hours: 24 hours across a DST change are 86400 s, not a calendar day');
RESET TimeZone;
SELECT volatility_is('diary', 'span_hours', ARRAY['timestamp with time zone', 'integer'], 'immutable',
                     'diary.span_hours is IMMUTABLE (the exclusion constraints index it)');
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at) VALUES ('k1', '00000000-0000-0000-0000-000000000207', 3, now() - interval '3 hours');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
                   VALUES ('k1', '00000000-0000-0000-0000-000000000207', 3, now() - interval '2 hours 1 minute')$$,
                 '23P01', NULL, 'diary.span_hours in unique_rating_per_hour: a rating 59 minutes after the last conflicts');
SELECT lives_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at)
                  VALUES ('k1', '00000000-0000-0000-0000-000000000207', 3, now() - interval '2 hours')$$,
                'diary.span_hours in unique_rating_per_hour: a rating exactly one hour after the last is accepted');

-- diary.touch_updated_at --------------------------------------------------------------------------
SELECT trigger_is('diary', 'segments', 'segments_updated_at', 'diary', 'touch_updated_at',
                  'segments_updated_at runs diary.touch_updated_at');
SELECT trigger_is('diary', 'routes', 'routes_updated_at', 'diary', 'touch_updated_at',
                  'routes_updated_at runs diary.touch_updated_at');
SELECT is((SELECT updated_at FROM diary.segments WHERE segment_id = 'k1'), now() - interval '2 days',
          'diary.touch_updated_at does not run on insert: the given updated_at is kept');
UPDATE diary.segments SET street = 'Check Street' WHERE segment_id = 'k1';
SELECT is((SELECT updated_at FROM diary.segments WHERE segment_id = 'k1'), now(), 'diary.touch_updated_at: an update of a segment sets updated_at = now()');
SELECT is((SELECT updated_at FROM diary.segments WHERE segment_id = 'k2'), now() - interval '2 days',
          'diary.touch_updated_at touches only the updated row');
UPDATE diary.segments SET updated_at = '2001-01-01' WHERE segment_id = 'k2';
SELECT is((SELECT updated_at FROM diary.segments WHERE segment_id = 'k2'), now(),
          'diary.touch_updated_at overrides an updated_at the writer sets');
INSERT INTO diary.routes (route_id, user_id, route_name, segment_ids, geometry, length_m, duration_min, updated_at)
VALUES ('00000000-0000-0000-0000-0000000002a7', '00000000-0000-0000-0000-000000000207', 'r', '{k1}',
        'SRID=4326;LINESTRING(-75.400 39.500, -75.399 39.500)', 85, 1, now() - interval '1 day');
UPDATE diary.routes SET route_name = 'renamed' WHERE route_id = '00000000-0000-0000-0000-0000000002a7';
SELECT is((SELECT updated_at FROM diary.routes WHERE route_id = '00000000-0000-0000-0000-0000000002a7'), now(),
          'diary.touch_updated_at: renaming a route sets its updated_at = now()');

-- diary.invalid and diary.not_found -----------------------------------------------------------------
SELECT throws_ok($$SELECT diary.invalid('speed', 'must be positive')$$, '22023', 'speed: must be positive',
                 'diary.invalid raises 22023 (HTTP 400) "field: rule"');
SELECT is(pg_temp.error_of($$SELECT diary.invalid('speed', 'must be positive')$$) ->> 'hint', 'field: speed',
          'diary.invalid names the field in the hint');
SELECT throws_ok($$SELECT diary.not_found('route_id', 'no such route')$$, 'PT404', 'route_id: no such route',
                 'diary.not_found raises PT404 (HTTP 404) "field: what"');
SELECT is(pg_temp.error_of($$SELECT diary.not_found('route_id', 'no such route')$$) ->> 'hint', 'field: route_id',
          'diary.not_found names the field in the hint');

-- diary.check_tags and the trigger diary.ratings_check_tags ---------------------------------------------
SELECT lives_ok($$SELECT diary.check_tags('{}')$$, 'diary.check_tags: no tags is fine');
SELECT lives_ok($$SELECT diary.check_tags('{dogs,potholes,other,no_sidewalk,poor_lighting}')$$, 'diary.check_tags: five distinct known tags are fine');
SELECT throws_ok($$SELECT diary.check_tags('{dogs,potholes,other,no_sidewalk,poor_lighting,speeding_cars}')$$, '22023',
                 'tags: at most 5 tags', 'diary.check_tags: six tags are refused');
SELECT throws_ok($$SELECT diary.check_tags('{dogs,sharks}')$$, '22023', 'tags: unknown tag ''sharks''',
                 'diary.check_tags names the unknown tag');
SELECT throws_ok($$SELECT diary.check_tags('{dogs,NULL}')$$, '22023', 'tags: unknown tag NULL', 'diary.check_tags: a NULL tag is unknown');
SELECT throws_ok($$SELECT diary.check_tags('{Dogs}')$$, '22023', 'tags: unknown tag ''Dogs''', 'diary.check_tags is case-sensitive');
SELECT throws_ok($$SELECT diary.check_tags('{dogs,potholes,dogs}')$$, '22023', 'tags: a tag may appear once',
                 'diary.check_tags: a repeated tag is refused');
SELECT throws_ok($$SELECT diary.check_tags('{sharks,x,y,z,w,v}')$$, '22023', 'tags: at most 5 tags',
                 'diary.check_tags reports the count before unknown tags');
SELECT is(pg_temp.error_of($$SELECT diary.check_tags('{sharks}')$$) ->> 'hint', 'field: tags; the vocabulary is api.diary_tags',
          'diary.check_tags hints at the vocabulary');
SELECT trigger_is('diary', 'ratings', 'ratings_check_tags', 'diary', 'ratings_check_tags',
                  'ratings_check_tags runs diary.ratings_check_tags');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating, tags) VALUES ('k2', '00000000-0000-0000-0000-000000000207', 3, '{sharks}')$$,
                 '22023', 'tags: unknown tag ''sharks''', 'diary.ratings_check_tags: a direct insert with an unknown tag is refused');
INSERT INTO diary.ratings (segment_id, user_id, rating, tags) VALUES ('k2', '00000000-0000-0000-0000-000000000207', 3, '{dogs}');
SELECT throws_ok($$UPDATE diary.ratings SET tags = '{dogs,dogs}' WHERE segment_id = 'k2'$$, '22023', 'tags: a tag may appear once',
                 'diary.ratings_check_tags: an update of tags is checked too');
DELETE FROM diary.tags WHERE tag = 'dogs';
SELECT lives_ok($$UPDATE diary.ratings SET status = 'rejected' WHERE segment_id = 'k2'$$,
                'diary.ratings_check_tags runs on updates of tags only: a tag retired from the vocabulary does not block a status change');
INSERT INTO diary.tags (tag, description) VALUES ('dogs', 'Dogs');

-- diary.require_segment ------------------------------------------------------------------------------------
SELECT lives_ok($$SELECT diary.require_segment('k1')$$, 'diary.require_segment: a known segment passes');
SELECT throws_ok($$SELECT diary.require_segment(NULL)$$, '22023', 'segment_id: is required', 'diary.require_segment: NULL is 400');
SELECT throws_ok($$SELECT diary.require_segment('  ')$$, '22023', 'segment_id: is required', 'diary.require_segment: blanks are 400');
SELECT throws_ok($$SELECT diary.require_segment('k9')$$, 'PT404', 'segment_id: no segment ''k9''', 'diary.require_segment: an unknown id is 404');
SELECT throws_ok($$SELECT diary.require_segment('K1')$$, 'PT404', 'segment_id: no segment ''K1''', 'diary.require_segment: ids are case-sensitive');

-- diary.check_rating_fields (rating, tags, comment, submitted_at, device, source) --------------------------------
SELECT lives_ok($$SELECT diary.check_rating_fields(3, '{dogs}', 'ok', now(), 'mobile', 'manual')$$,
                'diary.check_rating_fields: a complete valid rating passes');
SELECT lives_ok($$SELECT diary.check_rating_fields(1, '{}', NULL, now(), NULL, NULL)$$,
                'diary.check_rating_fields: comment, device and source are optional');
SELECT lives_ok($$SELECT diary.check_rating_fields(5, '{}', repeat('x', 500), now() - interval '24 hours', 'tablet', 'community')$$,
                'diary.check_rating_fields: the limits themselves (5, 500 characters, 24 hours old) pass');
SELECT throws_ok($$SELECT diary.check_rating_fields(0, '{}', NULL, now(), NULL, NULL)$$, '22023',
                 'rating: must be an integer from 1 (unsafe) to 5 (safe)', 'diary.check_rating_fields: rating 0');
SELECT throws_ok($$SELECT diary.check_rating_fields(6, '{}', NULL, now(), NULL, NULL)$$, '22023',
                 'rating: must be an integer from 1 (unsafe) to 5 (safe)', 'diary.check_rating_fields: rating 6');
SELECT throws_ok($$SELECT diary.check_rating_fields(NULL, '{}', NULL, now(), NULL, NULL)$$, '22023',
                 'rating: must be an integer from 1 (unsafe) to 5 (safe)', 'diary.check_rating_fields: no rating');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, NULL, NULL, now(), NULL, NULL)$$, '22023',
                 'tags: must be an array (empty for none)', 'diary.check_rating_fields: tags NULL');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{sharks}', NULL, now(), NULL, NULL)$$, '22023',
                 'tags: unknown tag ''sharks''', 'diary.check_rating_fields checks tags against the vocabulary');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{}', repeat('é', 501), now(), NULL, NULL)$$, '22023',
                 'comment: at most 500 characters', 'diary.check_rating_fields: 501 characters (not bytes) of comment');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{}', NULL, now() + interval '1 second', NULL, NULL)$$, '22023',
                 'submitted_at: must not be in the future', 'diary.check_rating_fields: one second in the future');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{}', NULL, now() - interval '24 hours 1 second', NULL, NULL)$$, '22023',
                 'submitted_at: must not be older than 24 hours', 'diary.check_rating_fields: older than rating_max_age_hours');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{}', NULL, now(), 'watch', NULL)$$, '22023',
                 'device: must be mobile, desktop or tablet', 'diary.check_rating_fields: unknown device');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{}', NULL, now(), NULL, 'import')$$, '22023',
                 'source: must be recording, manual or community', 'diary.check_rating_fields: unknown source');
SELECT throws_ok($$SELECT diary.check_rating_fields(9, '{sharks}', NULL, now(), 'watch', 'import')$$, '22023',
                 'rating: must be an integer from 1 (unsafe) to 5 (safe)', 'diary.check_rating_fields reports the first bad field');
SELECT is(pg_temp.error_of($$SELECT diary.check_rating_fields(3, '{}', NULL, now(), 'watch', NULL)$$) ->> 'hint', 'field: device',
          'diary.check_rating_fields names the field in the hint');
UPDATE diary.settings SET value = 48 WHERE key = 'rating_max_age_hours';
SELECT lives_ok($$SELECT diary.check_rating_fields(3, '{}', NULL, now() - interval '30 hours', NULL, NULL)$$,
                'diary.check_rating_fields reads rating_max_age_hours from diary.settings (48: 30 hours old passes)');
SELECT throws_ok($$SELECT diary.check_rating_fields(3, '{}', NULL, now() - interval '49 hours', NULL, NULL)$$, '22023',
                 'submitted_at: must not be older than 48 hours', 'diary.check_rating_fields names the configured age');
UPDATE diary.settings SET value = 24 WHERE key = 'rating_max_age_hours';

-- diary.check_between ---------------------------------------------------------------------------------------------
SELECT is(diary.check_between('min_confidence', 0.5, 0, 1), 0.5, 'diary.check_between returns a value inside the range');
SELECT is(diary.check_between('min_confidence', 0, 0, 1) + diary.check_between('min_confidence', 1, 0, 1), 1::numeric,
          'diary.check_between: both bounds are inside');
SELECT throws_ok($$SELECT diary.check_between('min_confidence', 1.01, 0, 1)$$, '22023', 'min_confidence: must be between 0 and 1',
                 'diary.check_between: above the range is 400 naming the field');
SELECT throws_ok($$SELECT diary.check_between('grid_size', -5, 10, 1000)$$, '22023', 'grid_size: must be between 10 and 1000',
                 'diary.check_between: below the range');
SELECT throws_ok($$SELECT diary.check_between('grid_size', NULL, 10, 1000)$$, '22023', 'grid_size: must be between 10 and 1000',
                 'diary.check_between: NULL is refused');

-- diary.bbox_envelope ------------------------------------------------------------------------------------------------
SELECT is(ST_AsText(diary.bbox_envelope('-75.2,39.8,-75.0,40.0')), 'POLYGON((-75.2 39.8,-75.2 40,-75 40,-75 39.8,-75.2 39.8))',
          'diary.bbox_envelope: west,south,east,north is the envelope');
SELECT is(ST_SRID(diary.bbox_envelope('-75.2,39.8,-75.0,40.0')), 4326, 'diary.bbox_envelope is WGS84 (SRID 4326)');
SELECT ok(ST_Equals(diary.bbox_envelope(' -75.2, 39.8 , -75.0,40.0 '), diary.bbox_envelope('-75.2,39.8,-75.0,40.0')),
          'diary.bbox_envelope ignores blanks');
SELECT throws_ok($$SELECT diary.bbox_envelope('1,2,3')$$, '22023', 'bbox: must be four numbers west,south,east,north',
                 'diary.bbox_envelope: three numbers');
SELECT throws_ok($$SELECT diary.bbox_envelope('1,2,3,4,5')$$, '22023', 'bbox: must be four numbers west,south,east,north',
                 'diary.bbox_envelope: five numbers');
SELECT throws_ok($$SELECT diary.bbox_envelope('a,b,c,d')$$, '22023', 'bbox: must be four numbers west,south,east,north',
                 'diary.bbox_envelope: words');
SELECT throws_ok($$SELECT diary.bbox_envelope('1,,3,4')$$, '22023', 'bbox: must be four numbers west,south,east,north',
                 'diary.bbox_envelope: an empty number');
SELECT throws_ok($$SELECT diary.bbox_envelope(NULL)$$, '22023', 'bbox: must be four numbers west,south,east,north',
                 'diary.bbox_envelope: NULL');
SELECT throws_ok($$SELECT diary.bbox_envelope('-181,0,0,1')$$, '22023', 'bbox: longitudes within [-180, 180], latitudes within [-90, 90]',
                 'diary.bbox_envelope: a longitude beyond -180');
SELECT throws_ok($$SELECT diary.bbox_envelope('0,0,1,90.5')$$, '22023', 'bbox: longitudes within [-180, 180], latitudes within [-90, 90]',
                 'diary.bbox_envelope: a latitude beyond 90');
SELECT throws_ok($$SELECT diary.bbox_envelope('1,0,0,1')$$, '22023', 'bbox: west < east and south < north',
                 'diary.bbox_envelope: west east of east');
SELECT throws_ok($$SELECT diary.bbox_envelope('0,1,1,1')$$, '22023', 'bbox: west < east and south < north',
                 'diary.bbox_envelope: an empty (flat) box');

-- diary.enforce_write_limit ------------------------------------------------------------------------------------------
-- Small limits for the test; a route request is counted by the check itself.
UPDATE diary.write_limits SET per_hour = 2 WHERE api_tier = 'free';
DELETE FROM diary.ratings WHERE user_id = '00000000-0000-0000-0000-000000000207';
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'route')$$,
                'diary.enforce_write_limit: the first route request of the hour passes');
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'route')$$,
                'diary.enforce_write_limit: the second passes');
SELECT is((SELECT count(*)::integer FROM diary.route_requests WHERE user_id = '00000000-0000-0000-0000-000000000207'), 2,
          'diary.enforce_write_limit records each route request it lets through');
SELECT pg_temp.error_of($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'route')$$) AS limit_error \gset
SELECT is(:'limit_error'::jsonb ->> 'sqlstate', 'PGRST', 'diary.enforce_write_limit: the third route request of the hour raises PGRST');
SELECT is((:'limit_error'::jsonb ->> 'message')::jsonb,
          '{"code": "DIARY_LIMIT", "message": "route: at most 2 per hour on the free tier", "details": "2 in the last hour", "hint": "retry after 3600 seconds"}'::jsonb,
          'diary.enforce_write_limit: the error body names the code, the rule with tier, the count and when to retry');
SELECT is((:'limit_error'::jsonb ->> 'detail')::jsonb, '{"status": 429, "headers": {"Retry-After": "3600"}}'::jsonb,
          'diary.enforce_write_limit: PostgREST answers 429 with Retry-After (seconds until the oldest counted write is an hour old)');
SELECT is((SELECT count(*)::integer FROM diary.route_requests WHERE user_id = '00000000-0000-0000-0000-000000000207'), 2,
          'diary.enforce_write_limit: a refused request is not recorded');
UPDATE diary.route_requests SET requested_at = now() - interval '50 minutes' WHERE user_id = '00000000-0000-0000-0000-000000000207';
SELECT is((pg_temp.error_of($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'route')$$) ->> 'detail')::jsonb
              -> 'headers' ->> 'Retry-After', '600',
          'diary.enforce_write_limit: requests 50 minutes old free up in 600 seconds');
UPDATE diary.route_requests SET requested_at = now() - interval '61 minutes' WHERE user_id = '00000000-0000-0000-0000-000000000207';
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'route')$$,
                'diary.enforce_write_limit: the hour is rolling, requests older than an hour no longer count');
-- Ratings count submissions: a trip's ratings share a submission_id and count once.
INSERT INTO diary.ratings (segment_id, user_id, submission_id, rating) VALUES
    ('k1', '00000000-0000-0000-0000-000000000207', '00000000-0000-0000-0000-0000000002f1', 3),
    ('k2', '00000000-0000-0000-0000-000000000207', '00000000-0000-0000-0000-0000000002f1', 3);
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'rating')$$,
                'diary.enforce_write_limit: a trip over two segments is one rating submission of two allowed');
SELECT is((SELECT count(*)::integer FROM diary.route_requests WHERE user_id = '00000000-0000-0000-0000-000000000207'), 3,
          'diary.enforce_write_limit records nothing for a rating (the rating is the record)');
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at) VALUES ('k1', '00000000-0000-0000-0000-000000000207', 4, now() - interval '3 hours');
SELECT throws_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'rating')$$, 'PGRST', NULL,
                 'diary.enforce_write_limit: a third rating submission within the hour (created_at counts, not submitted_at) is refused');
INSERT INTO diary.votes (segment_id, user_id, action) VALUES ('k1', '00000000-0000-0000-0000-000000000207', 'agree');
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'vote')$$,
                'diary.enforce_write_limit counts votes apart from ratings: one vote of two');
INSERT INTO diary.votes (segment_id, user_id, action) VALUES ('k2', '00000000-0000-0000-0000-000000000207', 'agree');
SELECT throws_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000207', 'vote')$$, 'PGRST', NULL,
                 'diary.enforce_write_limit: a third vote within the hour is refused');
INSERT INTO diary.votes (segment_id, user_id, action) VALUES
    ('k1', '00000000-0000-0000-0000-000000000208', 'agree'), ('k2', '00000000-0000-0000-0000-000000000208', 'agree');
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-000000000208', 'vote')$$,
                'diary.enforce_write_limit applies the user''s tier: premium allows more than two votes');
SELECT lives_ok($$SELECT diary.enforce_write_limit('00000000-0000-0000-0000-0000000002ff', 'vote')$$,
                'diary.enforce_write_limit: a user without an account has no limit row and is not refused here');

SELECT * FROM finish();
ROLLBACK;
