-- Issue 17, findings 3 and 4: the pre-request check (hooks.check_request, PostgREST's
-- db-pre-request) applies the request role's statement timeout and refuses the tokens of deleted,
-- deactivated and re-passworded accounts; log_in is throttled per e-mail.
BEGIN;
SELECT plan(39);

CREATE FUNCTION pg_temp.error_of(statement text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text;
BEGIN
    EXECUTE statement;
    RETURN NULL;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT, det = PG_EXCEPTION_DETAIL;
    RETURN jsonb_build_object('sqlstate', st, 'message', msg::jsonb, 'detail', nullif(det, '')::jsonb);
END
$$;
GRANT EXECUTE ON FUNCTION pg_temp.error_of(text) TO web_anon, web_user;

SELECT api.sign_up('kept@example.org', 'a long enough password') ->> 'user_id' AS kept \gset
SELECT api.sign_up('gone@example.org', 'a long enough password') ->> 'user_id' AS gone \gset
SELECT api.sign_up('idle@example.org', 'a long enough password') ->> 'user_id' AS idle \gset
SELECT api.sign_up('moved@example.org', 'a long enough password') ->> 'token' AS moved_token \gset
SELECT (convert_from(decode(translate(split_part(:'moved_token', '.', 2), '-_', '+/')
        || repeat('=', (4 - length(split_part(:'moved_token', '.', 2)) % 4) % 4), 'base64'), 'utf8')::jsonb) AS moved_claims \gset
SELECT is((:'moved_claims'::jsonb ->> 'tv')::integer, 0, 'a new account''s token carries its token version 0');
SELECT ok(convert_from(decode(translate(split_part(:'moved_token', '.', 2), '-_', '+/')
          || repeat('=', (4 - length(split_part(:'moved_token', '.', 2)) % 4) % 4), 'base64'), 'utf8') LIKE '{"t": "free", %',
          'and its tier first in the payload (the prefix nginx reads: {"t": "free", …)');

-- Statement timeouts from the roles' settings in this database
SELECT tests.act_as_anon();
SELECT hooks.check_request();
SELECT is(current_setting('statement_timeout'), '5s', 'an anonymous request runs with web_anon''s 5 s statement timeout');
SELECT tests.act_as_user(:'kept');
SELECT hooks.check_request();
SELECT is(current_setting('statement_timeout'), '15s', 'a logged-in request runs with web_user''s 15 s');
SELECT tests.act_as_nobody();
SET LOCAL statement_timeout = 0;
SELECT is((SELECT s.setconfig @> ARRAY['statement_timeout=5min'] FROM pg_db_role_setting s
           JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database()
           WHERE s.setrole = 'analyst'::regrole), true, 'the analyst connects with a 5 min statement timeout');

-- Tokens die with their accounts
SELECT tests.act_as_user(:'kept');
SELECT lives_ok($$SELECT hooks.check_request()$$, 'the token of an active account passes');
SELECT tests.act_as(jsonb_build_object('role', 'web_user'));
SELECT lives_ok($$SELECT hooks.check_request()$$, 'a web_user token without a user (sub) passes: the functions ask for one');
SELECT tests.act_as_nobody();
DELETE FROM auth.users WHERE user_id = :'gone';
UPDATE auth.users SET is_active = false WHERE user_id = :'idle';
UPDATE auth.users SET password_hash = crypt('another long password', gen_salt('bf', 4)) WHERE email = 'moved@example.org';

SELECT tests.act_as_user(:'gone');
SELECT pg_temp.error_of('SELECT hooks.check_request()') AS gone_error \gset
SELECT is(:'gone_error'::jsonb ->> 'sqlstate', 'PGRST', 'a deleted account''s token is refused');
SELECT is(:'gone_error'::jsonb #>> '{detail,status}', '401', 'with HTTP 401');
SELECT is(:'gone_error'::jsonb #>> '{message,code}', 'TOKEN_REVOKED', 'and the code TOKEN_REVOKED');
SELECT ok(:'gone_error'::jsonb #>> '{detail,headers,WWW-Authenticate}' LIKE 'Bearer error="invalid_token"%',
          'and WWW-Authenticate: Bearer error="invalid_token"');
SELECT tests.act_as_user(:'idle');
SELECT is(pg_temp.error_of('SELECT hooks.check_request()') #>> '{detail,status}', '401', 'a deactivated account''s token: 401');
SELECT tests.act_as(:'moved_claims'::jsonb);
SELECT is(pg_temp.error_of('SELECT hooks.check_request()') #>> '{detail,status}', '401',
          'a token issued before the password changed: 401');
SELECT tests.act_as(:'moved_claims'::jsonb || '{"tv": 1}');
SELECT lives_ok($$SELECT hooks.check_request()$$, 'a token of the new password''s version passes');
SELECT tests.act_as_nobody();
SELECT is((SELECT token_version FROM auth.users WHERE email = 'moved@example.org'), 1, 'the password change incremented the version');
SELECT trigger_is('auth', 'users', 'users_token_version', 'auth', 'bump_token_version',
                  'a password change runs auth.bump_token_version');

-- Tokens die with their tier: nginx grants the read rate the token claims
UPDATE auth.users SET api_tier = 'premium' WHERE user_id = :'kept';
SELECT tests.act_as_user(:'kept');
SELECT is(pg_temp.error_of('SELECT hooks.check_request()') #>> '{detail,status}', '401',
          'a free token of an account made premium: 401 (log in again for a premium token)');
SELECT tests.act_as(jsonb_build_object('role', 'web_user', 'sub', :'kept', 't', 'premium'));
SELECT lives_ok($$SELECT hooks.check_request()$$, 'a premium token of the premium account passes');
SELECT tests.act_as_nobody();
SELECT ok((SELECT (auth.session_for(:'kept') ->> 'token') LIKE '%.eyJ0IjogInByZW1pdW0i%'), 'its log-in token starts its payload with {"t": "premium"');
UPDATE auth.users SET api_tier = 'free' WHERE user_id = :'kept';
SELECT tests.act_as(jsonb_build_object('role', 'web_user', 'sub', :'kept', 't', 'premium'));
SELECT is(pg_temp.error_of('SELECT hooks.check_request()') #>> '{detail,status}', '401',
          'after a downgrade the premium token is refused');
SELECT tests.act_as_nobody();

-- log_in: failures counted per e-mail, then 429 whatever the password
SELECT tests.act_as_anon();
SELECT is(api.log_in('kept@example.org', 'wrong ' || i) ->> 'code', 'PT401', format('failed log-in %s: 401', i))
FROM generate_series(1, 5) i;
SELECT tests.act_as_nobody();
SELECT is((SELECT count(*)::integer FROM auth.login_failures WHERE email = 'kept@example.org'), 5, 'five failures counted');
SELECT is(pg_temp.error_of($$SELECT auth.check_login_throttle('kept@example.org')$$) #>> '{detail,status}', '429',
          'auth.check_login_throttle: five failures within the window refuse the e-mail');
SELECT lives_ok($$SELECT auth.check_login_throttle('unknown@example.org')$$, 'auth.check_login_throttle: an e-mail without failures passes');
SELECT auth.record_login_failure('recorded@example.org');
SELECT is((SELECT count(*)::integer FROM auth.login_failures WHERE email = 'recorded@example.org'), 1,
          'auth.record_login_failure counts a failure of the e-mail');
SELECT tests.act_as_anon();
SELECT pg_temp.error_of($$SELECT api.log_in('KEPT@example.org', 'a long enough password')$$) AS throttled \gset
SELECT is(:'throttled'::jsonb #>> '{detail,status}', '429', 'the sixth log-in of the e-mail within 15 minutes: 429, even with the right password');
SELECT ok((:'throttled'::jsonb #>> '{detail,headers,Retry-After}')::integer BETWEEN 1 AND 900, 'with Retry-After within the window');
SELECT is(pg_temp.error_of($$SELECT api.sign_up('kept@example.org', 'a long enough password')$$) #>> '{detail,status}', '429',
          'sign_up of that e-mail too: 429');
SELECT tests.act_as_nobody();
SELECT is(api.sign_up('probed@example.org', 'a long enough password') ->> 'user_id' IS NOT NULL, true, 'an account is made');
SELECT is(api.sign_up('probed@example.org', 'another long password') ->> 'code', '23505', format('probe %s of a taken e-mail: 409', i))
FROM generate_series(1, 5) i;
SELECT is(pg_temp.error_of($$SELECT api.sign_up('probed@example.org', 'a third long password')$$) #>> '{detail,status}', '429',
          'the sixth sign-up probe of a taken e-mail within 15 minutes: 429');

SELECT * FROM finish();
ROLLBACK;
