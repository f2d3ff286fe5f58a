-- Who is calling and what they may see, called directly: auth.current_user_id, auth.sign_jwt,
-- auth.session_for, diary.require_user, diary.visible_route_segments, and the audit trigger
-- audit.record_change on every table it watches.
BEGIN;
SELECT plan(45);

-- The JSON of a base64url part of a JWT (unpadded, RFC 7515).
CREATE FUNCTION pg_temp.jwt_part(token text, n integer) RETURNS jsonb LANGUAGE sql AS $$
    SELECT convert_from(decode(rpad(translate(split_part(token, '.', n), '-_', '+/'),
                                    ceil(length(split_part(token, '.', n)) / 4.0)::integer * 4, '='), 'base64'), 'utf8')::jsonb
$$;

-- auth.current_user_id ---------------------------------------------------------------------------
SELECT tests.act_as_nobody();
SELECT is(auth.current_user_id(), NULL::uuid, 'auth.current_user_id: no claims (a direct SQL session) is NULL');
SELECT tests.set_claims('{"role": "web_anon"}');
SELECT is(auth.current_user_id(), NULL::uuid, 'auth.current_user_id: claims without sub (anonymous) are NULL');
SELECT tests.set_claims('{"role": "web_user", "sub": "admin"}');
SELECT is(auth.current_user_id(), NULL::uuid, 'auth.current_user_id: a sub that is not a uuid is NULL, not an error');
SELECT tests.set_claims('{"role": "web_user", "sub": 42}');
SELECT is(auth.current_user_id(), NULL::uuid, 'auth.current_user_id: a numeric sub is NULL');
SELECT tests.set_claims('{"role": "web_user", "sub": "00000000-0000-0000-0000-0000000000AB"}');
SELECT is(auth.current_user_id(), '00000000-0000-0000-0000-0000000000ab'::uuid, 'auth.current_user_id: the sub of the claims, upper-case hex too');
SELECT tests.set_claims('{"role": "web_user", "sub": "00000000-0000-0000-0000-0000000000ab-x"}');
SELECT is(auth.current_user_id(), NULL::uuid, 'auth.current_user_id: a uuid with trailing text is NULL');

-- diary.require_user --------------------------------------------------------------------------------
SELECT tests.act_as_nobody();
SELECT throws_ok($$SELECT diary.require_user()$$, 'PT401', 'this needs a log-in token whose sub is a user id',
                 'diary.require_user: without a token PT401 (HTTP 401)');
SELECT tests.set_claims('{"role": "web_user", "sub": "admin"}');
SELECT throws_ok($$SELECT diary.require_user()$$, 'PT401', 'this needs a log-in token whose sub is a user id',
                 'diary.require_user: a sub that is not a user id is 401');
SELECT tests.set_claims('{"role": "web_user", "sub": "00000000-0000-0000-0000-0000000000ab"}');
SELECT is(diary.require_user(), '00000000-0000-0000-0000-0000000000ab'::uuid, 'diary.require_user returns the calling user''s id');

-- auth.sign_jwt -----------------------------------------------------------------------------------------
SELECT tests.act_as_nobody();
SELECT auth.sign_jwt('{"role": "web_user", "sub": "someone", "note": "ünïcode ~~~ ???"}') AS token \gset
SELECT is(array_length(string_to_array(:'token', '.'), 1), 3, 'auth.sign_jwt: header.payload.signature');
SELECT is(pg_temp.jwt_part(:'token', 1), '{"alg": "HS256", "typ": "JWT"}'::jsonb, 'auth.sign_jwt: the header is HS256 JWT');
SELECT is(pg_temp.jwt_part(:'token', 2), '{"role": "web_user", "sub": "someone", "note": "ünïcode ~~~ ???"}'::jsonb,
          'auth.sign_jwt: the payload is the claims (UTF-8)');
SELECT is(split_part(:'token', '.', 3),
          auth.base64url(hmac(split_part(:'token', '.', 1) || '.' || split_part(:'token', '.', 2), (SELECT secret FROM auth.jwt_secret), 'sha256')),
          'auth.sign_jwt: the signature is HMAC-SHA256 of header.payload with auth.jwt_secret');
SELECT ok(:'token' ~ '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$', 'auth.sign_jwt: base64url without padding, + or / (and no line breaks)');
SELECT ok(auth.sign_jwt(jsonb_build_object('pad', repeat('x', 200))) !~ '[=+/\n]', 'auth.sign_jwt: a long payload has no line breaks either');
SELECT is(auth.sign_jwt('{"a": 1}'), auth.sign_jwt('{"a": 1}'), 'auth.sign_jwt is deterministic');
UPDATE auth.jwt_secret SET secret = repeat('s', 40);
SELECT isnt(auth.sign_jwt('{"role": "web_user", "sub": "someone", "note": "ünïcode ~~~ ???"}'), :'token',
            'auth.sign_jwt signs with the stored secret: another secret, another signature');
SELECT is(split_part(auth.sign_jwt('{"a": 1}'), '.', 3),
          auth.base64url(hmac(split_part(auth.sign_jwt('{"a": 1}'), '.', 1) || '.' || split_part(auth.sign_jwt('{"a": 1}'), '.', 2), repeat('s', 40), 'sha256')),
          'auth.sign_jwt: the signature follows the new secret');

-- auth.session_for ----------------------------------------------------------------------------------------
SELECT auth.session_for('00000000-0000-0000-0000-0000000000ab') AS session \gset
SELECT is(:'session'::jsonb - 'token', jsonb_build_object('token_type', 'bearer', 'user_id', '00000000-0000-0000-0000-0000000000ab',
                                                          'expires_at', now() + interval '24 hours'),
          'auth.session_for: a bearer token for the user, expiring token_lifetime_hours (24) from now');
SELECT is(pg_temp.jwt_part(:'session'::jsonb ->> 'token', 2),
          jsonb_build_object('role', 'web_user', 'sub', '00000000-0000-0000-0000-0000000000ab', 't', 'free', 'tv', 0,
                             'iat', extract(epoch FROM now())::bigint, 'exp', extract(epoch FROM now() + interval '24 hours')::bigint),
          'auth.session_for: the token claims role web_user, sub = user id, t = tier, tv = token version, iat now and exp = expires_at');
SELECT is(:'session'::jsonb ->> 'token', auth.sign_jwt(pg_temp.jwt_part(:'session'::jsonb ->> 'token', 2)),
          'auth.session_for: the token is signed by auth.sign_jwt');
UPDATE diary.settings SET value = 2 WHERE key = 'token_lifetime_hours';
SELECT is((pg_temp.jwt_part(auth.session_for('00000000-0000-0000-0000-0000000000ab') ->> 'token', 2) ->> 'exp')::bigint,
          extract(epoch FROM now() + interval '2 hours')::bigint, 'auth.session_for reads token_lifetime_hours from diary.settings');
UPDATE diary.settings SET value = 24 WHERE key = 'token_lifetime_hours';

-- The token is accepted by the database's own reading of the claims.
SELECT tests.set_claims(pg_temp.jwt_part(:'session'::jsonb ->> 'token', 2));
SELECT is(auth.current_user_id(), '00000000-0000-0000-0000-0000000000ab'::uuid,
          'the claims of auth.session_for''s token make auth.current_user_id the user');
SELECT tests.act_as_nobody();

-- Users and routes for visibility and audit --------------------------------------------------------------------
INSERT INTO auth.users (user_id, email, password_hash, display_name) VALUES
    ('00000000-0000-0000-0000-0000000000a1', 'owner@example.org', '$2a$10$secret', 'Owner'),
    ('00000000-0000-0000-0000-0000000000a2', 'stranger@example.org', '$2a$10$secret', 'Stranger');
INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES
    ('v1', 'Visible St', 85, 'SRID=4326;LINESTRING(-75.500 39.500, -75.499 39.500)'),
    ('v2', 'Visible St', 85, 'SRID=4326;LINESTRING(-75.499 39.500, -75.498 39.500)');
INSERT INTO diary.routes (route_id, user_id, route_name, segment_ids, geometry, length_m, duration_min, is_public) VALUES
    ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'private', '{v1,v2}',
     'SRID=4326;LINESTRING(-75.500 39.500, -75.498 39.500)', 170, 2, false),
    ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a1', 'public', '{v2}',
     'SRID=4326;LINESTRING(-75.499 39.500, -75.498 39.500)', 85, 1, true);

-- diary.visible_route_segments --------------------------------------------------------------------------------
SELECT tests.set_claims(tests.user_claims('00000000-0000-0000-0000-0000000000a1'));
SELECT is(diary.visible_route_segments('00000000-0000-0000-0000-0000000000b1'), ARRAY['v1', 'v2'],
          'diary.visible_route_segments: the owner sees the segment ids of her private route, in order');
SELECT tests.set_claims(tests.user_claims('00000000-0000-0000-0000-0000000000a2'));
SELECT is(diary.visible_route_segments('00000000-0000-0000-0000-0000000000b2'), ARRAY['v2'],
          'diary.visible_route_segments: anyone logged in sees a public route');
SELECT throws_ok($$SELECT diary.visible_route_segments('00000000-0000-0000-0000-0000000000b1')$$, 'PT404',
                 'route_id: no route of yours or public with this id', 'diary.visible_route_segments: another user''s private route is 404');
SELECT tests.act_as_nobody();
SELECT is(diary.visible_route_segments('00000000-0000-0000-0000-0000000000b2'), ARRAY['v2'],
          'diary.visible_route_segments: an anonymous caller sees a public route');
SELECT throws_ok($$SELECT diary.visible_route_segments('00000000-0000-0000-0000-0000000000b1')$$, 'PT404', NULL,
                 'diary.visible_route_segments: an anonymous caller gets 404 for a private route');
SELECT throws_ok($$SELECT diary.visible_route_segments('00000000-0000-0000-0000-00000000ffff')$$, 'PT404', NULL,
                 'diary.visible_route_segments: an unknown route is 404');
SELECT throws_ok($$SELECT diary.visible_route_segments(NULL)$$, 'PT404', NULL, 'diary.visible_route_segments: NULL is 404');
SELECT tests.act_as_anon();
SELECT throws_ok($$SELECT diary.visible_route_segments('00000000-0000-0000-0000-0000000000b2')$$, '42501', NULL,
                 'diary.visible_route_segments is not callable by web_anon itself, only through the chart functions of api');
SELECT tests.act_as_nobody();

-- audit.record_change ------------------------------------------------------------------------------------------
SELECT trigger_is('diary', 'ratings', 'ratings_audit', 'audit', 'record_change', 'ratings_audit runs audit.record_change');
SELECT trigger_is('diary', 'votes', 'votes_audit', 'audit', 'record_change', 'votes_audit runs audit.record_change');
SELECT trigger_is('diary', 'routes', 'routes_audit', 'audit', 'record_change', 'routes_audit runs audit.record_change');
SELECT trigger_is('auth', 'users', 'users_audit', 'audit', 'record_change', 'users_audit runs audit.record_change');

SELECT results_eq(
    $$SELECT operation, user_id, acting_user_id, db_role, old_data IS NULL, new_data ->> 'email', new_data ? 'password_hash', changed_at
      FROM audit.log WHERE table_name = 'auth.users' AND user_id = '00000000-0000-0000-0000-0000000000a1'$$,
    $$VALUES ('INSERT', '00000000-0000-0000-0000-0000000000a1'::uuid, NULL::uuid, session_user::text COLLATE "default", true, 'owner@example.org', false, now())$$,
    'audit.record_change: an insert without a token logs the new row without password_hash, no acting user, the session''s role');
SELECT tests.set_claims(tests.user_claims('00000000-0000-0000-0000-0000000000a1'));
UPDATE auth.users SET display_name = 'Owner 2', password_hash = '$2a$10$other' WHERE user_id = '00000000-0000-0000-0000-0000000000a1';
SELECT results_eq(
    $$SELECT acting_user_id, old_data ->> 'display_name', new_data ->> 'display_name', old_data ? 'password_hash' OR new_data ? 'password_hash'
      FROM audit.log WHERE table_name = 'auth.users' AND operation = 'UPDATE' AND user_id = '00000000-0000-0000-0000-0000000000a1'$$,
    $$VALUES ('00000000-0000-0000-0000-0000000000a1'::uuid, 'Owner', 'Owner 2', false)$$,
    'audit.record_change: an update logs old and new row and the acting user of the token, never the password hash');
INSERT INTO diary.ratings (rating_id, segment_id, user_id, rating, comment) VALUES
    ('00000000-0000-0000-0000-0000000000c1', 'v1', '00000000-0000-0000-0000-0000000000a2', 2, 'dark');
SELECT results_eq(
    $$SELECT operation, user_id, acting_user_id, (new_data ->> 'rating')::integer, new_data ->> 'comment'
      FROM audit.log WHERE table_name = 'diary.ratings' AND new_data ->> 'rating_id' = '00000000-0000-0000-0000-0000000000c1'$$,
    $$VALUES ('INSERT', '00000000-0000-0000-0000-0000000000a2'::uuid, '00000000-0000-0000-0000-0000000000a1'::uuid, 2, 'dark')$$,
    'audit.record_change: user_id is the row''s user, acting_user_id whoever made the change');
SELECT tests.act_as_nobody();
DELETE FROM diary.ratings WHERE rating_id = '00000000-0000-0000-0000-0000000000c1';
SELECT results_eq(
    $$SELECT operation, user_id, old_data ->> 'comment', new_data IS NULL
      FROM audit.log WHERE table_name = 'diary.ratings' AND operation = 'DELETE' AND old_data ->> 'rating_id' = '00000000-0000-0000-0000-0000000000c1'$$,
    $$VALUES ('DELETE', '00000000-0000-0000-0000-0000000000a2'::uuid, 'dark', true)$$,
    'audit.record_change: a delete logs the old row, its user taken from the old row');
INSERT INTO diary.votes (vote_id, segment_id, user_id, action) VALUES
    ('00000000-0000-0000-0000-0000000000d1', 'v2', '00000000-0000-0000-0000-0000000000a2', 'agree');
SELECT is((SELECT (new_data ->> 'implicit_rating')::numeric FROM audit.log
           WHERE table_name = 'diary.votes' AND new_data ->> 'vote_id' = '00000000-0000-0000-0000-0000000000d1'),
          (SELECT implicit_rating FROM diary.votes WHERE vote_id = '00000000-0000-0000-0000-0000000000d1'),
          'audit.record_change: a vote is logged as stored (with the implicit rating its trigger derived)');
DELETE FROM auth.users WHERE user_id = '00000000-0000-0000-0000-0000000000a2';
SELECT results_eq(
    $$SELECT table_name, operation FROM audit.log
      WHERE log_id > (SELECT max(log_id) FROM audit.log WHERE table_name = 'diary.votes' AND operation = 'INSERT'
                      AND new_data ->> 'vote_id' = '00000000-0000-0000-0000-0000000000d1')
      ORDER BY table_name$$,
    $$VALUES ('auth.users', 'DELETE'), ('diary.votes', 'DELETE')$$,
    'audit.record_change: deleting an account logs the account and the vote its cascade removes');
SELECT ok((SELECT bool_and(db_role = session_user) FROM audit.log WHERE changed_at = now()),
          'audit.record_change records the session''s login role when no role is set, even though it runs as its owner');
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000000a1');
SELECT lives_ok($$SELECT api.submit_rating('v1', 4, rating_id => '00000000-0000-0000-0000-0000000000c9')$$,
                'a rating submitted as web_user, as PostgREST does it');
SELECT tests.act_as_nobody();
SELECT is((SELECT db_role FROM audit.log WHERE table_name = 'diary.ratings' AND new_data ->> 'rating_id' = '00000000-0000-0000-0000-0000000000c9'),
          'web_user', 'audit.record_change records the role the request acts as (web_user), not the login role nor the function owner');
SELECT tests.act_as_user('00000000-0000-0000-0000-0000000000a1');
SELECT throws_ok($$SELECT count(*) FROM audit.log$$, '42501', NULL, 'the audit log is not readable by web_user');
SELECT tests.act_as_nobody();

SELECT * FROM finish();
ROLLBACK;
