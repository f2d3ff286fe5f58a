-- api.health(): the first API object, callable anonymously and cheap to inline.
BEGIN;
SELECT plan(8);

SELECT has_function('api', 'health', ARRAY[]::name[], 'api.health() exists');
SELECT function_lang_is('api', 'health', ARRAY[]::name[], 'sql', 'api.health() is LANGUAGE sql');
SELECT volatility_is('api', 'health', ARRAY[]::name[], 'stable', 'api.health() is STABLE, so GET may call it');
SELECT function_returns('api', 'health', ARRAY[]::name[], 'jsonb', 'api.health() returns jsonb');

SELECT tests.act_as_anon();
SELECT is(api.health() ->> 'status', 'ok', 'an anonymous caller gets status ok');
SELECT is(api.health() ->> 'database', current_database()::text, 'health names the database');
SELECT tests.act_as_nobody();

SELECT tests.act_as_user('00000000-0000-0000-0000-000000000004');
SELECT ok((api.health() ->> 'server_time')::timestamptz IS NOT NULL, 'an authenticated caller gets the server time');
SELECT tests.act_as_nobody();

SET LOCAL ROLE collector;
SELECT throws_ok('SELECT api.health()', '42501', NULL, 'the collector has no business in the api schema');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
