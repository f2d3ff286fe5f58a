-- The tests' own helpers (schema tests, tests/pgtap/lib/tests_schema.psql): acting as a request
-- sets what PostgREST 12.0.2 sets for one, and acting as nobody gives the test's session back.
BEGIN;
SELECT plan(23);

SELECT current_setting('search_path') AS session_search_path \gset

SELECT tests.act_as_anon();
SELECT is(current_user::text, 'web_anon', 'act_as_anon: current_user is web_anon');
SELECT is(current_setting('role'), 'web_anon', 'act_as_anon: the role setting (what the audit trigger reads) is web_anon');
SELECT is(current_setting('request.jwt.claims')::jsonb, '{"role": "web_anon"}'::jsonb,
          'act_as_anon: the claims are {"role": "web_anon"}, as PostgREST sets them without a token');
SELECT is(current_setting('search_path'), '"api", "public"', 'act_as_anon: the search_path of PostgREST (db-schemas, db-extra-search-path)');
SELECT ok(current_setting('request.method') <> '' AND current_setting('request.path') <> ''
          AND current_setting('request.headers')::jsonb IS NOT NULL AND current_setting('request.cookies')::jsonb IS NOT NULL,
          'act_as_anon: request.method, path, headers and cookies are set, as for every request');

-- Straight from one request to the next, as any role.
SELECT tests.act_as_user('00000000-0000-0000-0000-00000000e0e0');
SELECT is(current_user::text, 'web_user', 'act_as_user: current_user is web_user, switched from web_anon');
SELECT is(current_setting('request.jwt.claims')::jsonb, '{"role": "web_user", "sub": "00000000-0000-0000-0000-00000000e0e0"}'::jsonb,
          'act_as_user: the claims of a log-in token');
SELECT is(tests.user_claims('00000000-0000-0000-0000-00000000e0e0'), current_setting('request.jwt.claims')::jsonb,
          'user_claims: the claims act_as_user sets');

SELECT tests.act_as('{"sub": "somebody", "extra": [1, 2]}', method => 'GET', path => '/routes');
SELECT is(current_user::text, 'web_anon', 'act_as: a token without a role claim acts as web_anon');
SELECT is(current_setting('request.jwt.claims')::jsonb, '{"role": "web_anon", "sub": "somebody", "extra": [1, 2]}'::jsonb,
          'act_as: the token''s claims with "role" added, as PostgREST 12.0.2 does');
SELECT is(current_setting('request.method') || ' ' || current_setting('request.path'), 'GET /routes', 'act_as: method and path as given');
SELECT throws_ok($$SELECT tests.act_as('{"role": "collector"}')$$, '42501', 'permission denied to set role "collector"',
                 'act_as: a role not granted to authenticator is refused, as PostgREST''s SET ROLE would be');
SELECT throws_ok($$SELECT tests.act_as('"web_user"')$$, '22023', NULL, 'act_as: claims that are not a JSON object are refused');
SELECT is(current_user::text, 'web_anon', 'act_as: a refused switch leaves the role as it was');

SELECT tests.act_as_nobody();
SELECT is(current_user, session_user, 'act_as_nobody: current_user is the session''s again');
SELECT is(current_setting('role'), 'none', 'act_as_nobody: role none, as after RESET ROLE');
SELECT is(current_setting('search_path'), :'session_search_path', 'act_as_nobody: the session''s search_path');
SELECT is(current_setting('request.jwt.claims') || current_setting('request.method') || current_setting('request.path')
          || current_setting('request.headers') || current_setting('request.cookies'), '',
          'act_as_nobody: the request settings are empty, as in a direct SQL session');

SELECT tests.set_claims('{"role": "web_user", "sub": 42}');
SELECT is(current_user, session_user, 'set_claims: no role switch');
SELECT is(current_setting('request.jwt.claims')::jsonb, '{"role": "web_user", "sub": 42}'::jsonb, 'set_claims: exactly the claims given');
SELECT tests.set_claims(tests.user_claims('00000000-0000-0000-0000-00000000e0e0'));
SELECT is(auth.current_user_id(), '00000000-0000-0000-0000-00000000e0e0'::uuid, 'set_claims: the database reads the user of the claims');
SELECT tests.act_as_nobody();

-- Local to the transaction, as PostgREST's: rolled back with it (here: with a savepoint).
SAVEPOINT acting;
SELECT tests.act_as_user('00000000-0000-0000-0000-00000000e0e0');
ROLLBACK TO SAVEPOINT acting;
SELECT is(current_user, session_user, 'a rollback undoes the role switch');
SELECT is(current_setting('request.jwt.claims'), '', 'a rollback undoes the claims');

SELECT * FROM finish();
ROLLBACK;
