-- Issue 17, finding 1: the duplicate and rate rules of ratings count on the server's clock (when a
-- rating arrived), whatever submitted_at the client claims, and a trip counts each rating.
BEGIN;
SELECT plan(15);

INSERT INTO auth.users (user_id, email, password_hash) VALUES
    ('00000000-0000-0000-0000-000000000b01', 'backdater@example.org', 'x'),
    ('00000000-0000-0000-0000-000000000b02', 'tripper@example.org', 'x'),
    ('00000000-0000-0000-0000-000000000b03', 'gone@example.org', 'x');
INSERT INTO diary.segments (segment_id, street, length_m, geometry)
SELECT 'b' || i, 'Backdate St', 100,
       ST_SetSRID(ST_MakeLine(ST_MakePoint(-75.1 + i * 0.001, 39.8), ST_MakePoint(-75.1 + (i + 1) * 0.001, 39.8)), 4326)
FROM generate_series(1, 8) i;

-- A backdating client: one rating, then 409 whatever submitted_at says.
SELECT tests.act_as_user('00000000-0000-0000-0000-000000000b01');
SELECT is((api.submit_rating('b1', 1, submitted_at => now()) ->> 'created')::boolean, true, 'the first rating of the hour is accepted');
SELECT throws_ok($$SELECT api.submit_rating('b1', 1, submitted_at => now() - interval '61 minutes')$$, '23505',
                 'segment_id: you rated segment b1 less than an hour ago', 'a second one claiming 61 minutes ago: 409');
SELECT throws_ok($$SELECT api.submit_rating('b1', 1, submitted_at => now() - interval '122 minutes')$$, '23505', NULL,
                 'claiming 122 minutes ago: 409');
SELECT throws_ok($$SELECT api.submit_rating('b1', 1, submitted_at => now() - interval '183 minutes')$$, '23505', NULL,
                 'claiming 183 minutes ago: 409');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-000000000bf1', '{b2,b1}', 1, submitted_at => now() - interval '23 hours')$$,
                 '23505', NULL, 'a backdated trip over the segment: 409');
SELECT is((SELECT count(*)::integer FROM api.my_ratings), 1,
          'the segment holds one rating of the user');
SELECT tests.act_as_nobody();
-- A rating that arrived 61 minutes ago no longer blocks the segment, whatever time it claimed.
UPDATE diary.ratings SET created_at = now() - interval '61 minutes', submitted_at = now() - interval '3 hours'
WHERE user_id = '00000000-0000-0000-0000-000000000b01';
SELECT tests.act_as_user('00000000-0000-0000-0000-000000000b01');
SELECT is((api.submit_rating('b1', 4) ->> 'created')::boolean, true, 'a rating an hour after the last one arrived is accepted');

-- A trip counts each rating against the tier's limit.
SELECT tests.act_as_nobody();
UPDATE diary.write_limits SET per_hour = 5 WHERE api_tier = 'free' AND action = 'rating';
SELECT tests.act_as_user('00000000-0000-0000-0000-000000000b02');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-000000000bf2', '{b1,b2,b3,b4,b5,b6}', 3)$$, '22023',
                 'segment_ids: at most 5 ratings per hour on the free tier', 'a trip longer than the hour''s limit: 400');
SELECT is(jsonb_array_length(api.submit_trip('00000000-0000-0000-0000-000000000bf3', '{b1,b2,b3,b4}', 3) -> 'ratings'), 4,
          'a trip of 4 ratings fits the limit of 5');
SELECT throws_ok($$SELECT api.submit_trip('00000000-0000-0000-0000-000000000bf4', '{b5,b6}', 3)$$, 'PGRST', NULL,
                 'a trip of 2 more is refused (HTTP 429): 4 + 2 > 5');
SELECT is((api.submit_rating('b5', 3) ->> 'created')::boolean, true, 'one more rating is the fifth');

-- A deleted account's token gets 401, not the foreign-key details of the insert.
SELECT tests.act_as_nobody();
DELETE FROM auth.users WHERE user_id = '00000000-0000-0000-0000-000000000b03';
SELECT tests.act_as_user('00000000-0000-0000-0000-000000000b03');
SELECT throws_ok($$SELECT api.submit_rating('b7', 3)$$, 'PT401', 'this token''s account was deleted or deactivated',
                 'a rating by a deleted account: 401');

-- The rules themselves, as api.submit_rating and api.submit_trip call them before writing.
SELECT tests.act_as_nobody();
SELECT throws_ok($$SELECT diary.enforce_rating_limits('00000000-0000-0000-0000-000000000b02', '{b6}')$$, 'PGRST', NULL,
                 'diary.enforce_rating_limits: a sixth rating within the hour on a tier of 5 is refused (429)');
SELECT throws_ok($$SELECT diary.enforce_rating_limits('00000000-0000-0000-0000-000000000b01', '{b8,b1}')$$, '23505', NULL,
                 'diary.enforce_rating_limits: a segment the user rated within the hour is refused (409)');
SELECT lives_ok($$SELECT diary.enforce_rating_limits('00000000-0000-0000-0000-000000000b01', '{b8}')$$,
                'diary.enforce_rating_limits: another segment within the limit passes');

SELECT * FROM finish();
ROLLBACK;
