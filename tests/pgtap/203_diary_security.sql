-- Sign-up and log-in with database-signed JWTs, row-level security as anonymous, user A and
-- user B, and the audit log.
BEGIN;
SELECT plan(36);

-- Accounts through the API functions, as PostgREST's anonymous role would call them.
SELECT tests.act_as_anon();
SELECT api.sign_up('Alice@Example.org', 'correct horse battery', 'Alice') ->> 'user_id' AS alice \gset
SELECT api.sign_up('bob@example.org', 'another long password') ->> 'user_id' AS bob \gset
SELECT is(api.sign_up('ALICE@example.org', 'whatever long enough') ->> 'message',
          'email: an account with this e-mail address exists', 'e-mail addresses are unique regardless of case');
SELECT is(current_setting('response.status'), '409', 'a taken e-mail: HTTP 409 (response.status), the attempt counted');
SELECT throws_ok($$SELECT api.sign_up('carol@example.org', 'short')$$, '22023',
                 'password: must be at least 10 characters', 'a short password is refused, naming the rule');
SELECT throws_ok($$SELECT api.sign_up('not-an-email', 'long enough password')$$, '22023',
                 'email: must be an e-mail address', 'a malformed e-mail is refused');
SELECT is(api.log_in('alice@example.org', 'wrong password!') ->> 'code', 'PT401', 'a wrong password gets the 401 body');
SELECT is(current_setting('response.status'), '401', 'with HTTP status 401 (response.status), its failure counted');
SELECT lives_ok($$SELECT api.log_in('ALICE@example.org ', 'correct horse battery')$$, 'log-in ignores case and surrounding blanks of the e-mail');
SELECT api.log_in('alice@example.org', 'correct horse battery') ->> 'token' AS token \gset
SELECT tests.act_as_nobody();

SELECT alike((SELECT password_hash::text FROM auth.users WHERE user_id = :'alice'), '$2a$10$%', 'passwords are stored as bcrypt hashes');
SELECT is((SELECT email FROM auth.users WHERE user_id = :'alice')::text, 'alice@example.org', 'e-mail stored lower case');

-- The token: HS256 over header.payload with the shared secret, claims role/sub/exp (24 h).
SELECT is(split_part(:'token', '.', 3),
          auth.base64url(hmac(split_part(:'token', '.', 1) || '.' || split_part(:'token', '.', 2),
                              (SELECT secret FROM auth.jwt_secret), 'sha256')),
          'the token''s signature is HMAC-SHA256 with auth.jwt_secret');
SELECT convert_from(decode(rpad(translate(split_part(:'token', '.', 2), '-_', '+/'),
                                ceil(length(split_part(:'token', '.', 2)) / 4.0)::integer * 4, '='), 'base64'), 'utf8')::jsonb AS claims \gset
SELECT is(:'claims'::jsonb ->> 'role', 'web_user', 'the token''s role is web_user');
SELECT is(:'claims'::jsonb ->> 'sub', :'alice', 'the token''s sub is the user id');
SELECT is((:'claims'::jsonb ->> 'exp')::bigint - (:'claims'::jsonb ->> 'iat')::bigint, 86400::bigint, 'the token lives 24 hours');

INSERT INTO diary.segments (segment_id, street, length_m, geometry) VALUES
    ('r1', 'Rls St', 100, 'SRID=4326;LINESTRING(-75.10 39.90, -75.099 39.90)');
INSERT INTO diary.routes (route_id, user_id, route_name, segment_ids, geometry, length_m, duration_min, is_public) VALUES
    ('00000000-0000-0000-0000-0000000000d1', :'alice', 'alice private', '{r1}', 'SRID=4326;LINESTRING(-75.10 39.90, -75.099 39.90)', 100, 1.2, false),
    ('00000000-0000-0000-0000-0000000000d2', :'alice', 'alice public', '{r1}', 'SRID=4326;LINESTRING(-75.10 39.90, -75.099 39.90)', 100, 1.2, true);
INSERT INTO diary.ratings (segment_id, user_id, rating, submitted_at) VALUES ('r1', :'alice', 2, now() - interval '2 hours');
INSERT INTO diary.votes (segment_id, user_id, action) VALUES ('r1', :'alice', 'agree');

-- Anonymous: no error, public data only.
SELECT tests.act_as_anon();
SELECT is((SELECT count(*)::integer FROM api.routes), 1, 'anonymous: sees only the public route');
SELECT throws_ok('SELECT count(*) FROM api.my_ratings', '42501', NULL, 'anonymous: may not read ratings at all');
SELECT throws_ok('SELECT count(*) FROM api.my_account', '42501', NULL, 'anonymous: has no account view');
SELECT throws_ok($$SELECT api.submit_rating('r1', 3)$$, '42501', NULL, 'anonymous: may not rate (PostgREST answers 401)');
SELECT is((SELECT n_samples FROM api.segments('-75.2,39.8,-75.0,40.0') WHERE segment_id = 'r1'), 2, 'anonymous: reads the aggregates');

-- User A (Alice)
SELECT tests.act_as_user(:'alice');
SELECT is((SELECT count(*)::integer FROM api.routes), 2, 'A: sees her private and public routes');
SELECT is((SELECT count(*)::integer FROM api.my_ratings), 1, 'A: sees her rating');
SELECT is((SELECT count(*)::integer FROM api.my_votes), 1, 'A: sees her vote');
SELECT is((SELECT email FROM api.my_account)::text, 'alice@example.org', 'A: sees her own account only');
SELECT throws_ok($$INSERT INTO diary.ratings (segment_id, user_id, rating) VALUES ('r1', '$$ || :'alice' || $$', 3)$$,
                 '42501', NULL, 'A: may not write to the tables directly, not even as herself');
SELECT throws_ok('SELECT password_hash FROM auth.users', '42501', NULL, 'A: may not read password hashes, not even her own');

-- User B (Bob)
SELECT tests.act_as_user(:'bob');
SELECT is((SELECT array_agg(route_name::text) FROM api.routes), ARRAY['alice public'], 'B: sees only A''s public route');
SELECT is((SELECT count(*)::integer FROM api.my_ratings), 0, 'B: does not see A''s rating');
SELECT is((SELECT count(*)::integer FROM api.my_votes), 0, 'B: does not see A''s vote');
SELECT is((SELECT count(*)::integer FROM api.my_account), 1, 'B: sees one account, his own');
SELECT is((SELECT email FROM api.my_account)::text, 'bob@example.org', 'B: his own');
SELECT throws_ok($$SELECT api.rename_route('00000000-0000-0000-0000-0000000000d2', 'hijacked')$$, 'PT404', NULL,
                 'B: renaming A''s public route is "not found"');
SELECT throws_ok($$SELECT api.delete_route('00000000-0000-0000-0000-0000000000d1')$$, 'PT404', NULL,
                 'B: deleting A''s private route is "not found"');
SELECT tests.act_as_nobody();
SELECT is((SELECT route_name::text FROM diary.routes WHERE route_id = '00000000-0000-0000-0000-0000000000d2'), 'alice public',
          'B''s attempt to rename A''s route changed nothing');

-- Audit: insert, update and delete with the acting user and without the password hash.
SELECT tests.act_as_user(:'alice');
SELECT api.rename_route('00000000-0000-0000-0000-0000000000d1', 'alice renamed');
SELECT api.delete_route('00000000-0000-0000-0000-0000000000d1');
SELECT tests.act_as_nobody();
SELECT results_eq(
    $$SELECT operation, acting_user_id, old_data ->> 'route_name', new_data ->> 'route_name' FROM audit.log
      WHERE table_name = 'diary.routes' AND (old_data ->> 'route_id' = '00000000-0000-0000-0000-0000000000d1'
                                            OR new_data ->> 'route_id' = '00000000-0000-0000-0000-0000000000d1')
      ORDER BY log_id$$,
    $$VALUES ('INSERT', NULL::uuid, NULL, 'alice private'), ('UPDATE', '$$ || :'alice' || $$'::uuid, 'alice private', 'alice renamed'),
             ('DELETE', '$$ || :'alice' || $$'::uuid, 'alice renamed', NULL)$$,
    'routes: insert, update and delete are audited with old and new row and the acting user');
SELECT is((SELECT count(*)::integer FROM audit.log WHERE table_name = 'auth.users' AND operation IN ('INSERT', 'UPDATE')
           AND user_id = :'alice'), 3, 'users: sign-up and two log-ins audited');
SELECT ok(NOT EXISTS (SELECT FROM audit.log WHERE old_data ? 'password_hash' OR new_data ? 'password_hash'),
          'no audit row carries a password hash');
SELECT is((SELECT count(*)::integer FROM audit.log WHERE table_name IN ('diary.ratings', 'diary.votes') AND user_id = :'alice'), 2,
          'ratings and votes are audited');

SELECT * FROM finish();
ROLLBACK;
