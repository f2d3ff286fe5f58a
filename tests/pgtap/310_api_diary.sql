-- The diary's part of the api schema: documented, invoker views, who may call what.
BEGIN;
SELECT plan(8);

SELECT is((SELECT count(*)::integer FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace
           AND p.proname IN ('sign_up', 'log_in', 'delete_account', 'segments', 'diary_health', 'submit_rating',
                             'submit_trip', 'submit_vote', 'create_route', 'rename_route', 'delete_route',
                             'route', 'route_trend', 'route_tags', 'coverage')
           AND obj_description(p.oid, 'pg_proc') IS NOT NULL), 15, 'every diary API function has a COMMENT');
SELECT is((SELECT count(*)::integer FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace
           AND c.relname IN ('my_account', 'my_ratings', 'my_votes', 'routes', 'diary_tags')
           AND obj_description(c.oid, 'pg_class') IS NOT NULL
           AND c.reloptions @> ARRAY['security_invoker=true']), 5, 'every diary API view has a COMMENT and is security_invoker');
SELECT is((SELECT count(*)::integer FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relkind NOT IN ('v', 'm')), 0,
          'the api schema holds no tables');
SELECT volatility_is('api', 'segments', ARRAY['text', 'numeric', 'timestamp with time zone'], 'stable', 'api.segments is STABLE (GET)');
SELECT function_lang_is('api', 'segments', ARRAY['text', 'numeric', 'timestamp with time zone'], 'plpgsql', 'api.segments is PL/pgSQL (its plan kept per connection)');
SELECT ok(has_function_privilege('web_anon', 'api.log_in(text, text)', 'execute')
          AND has_function_privilege('web_anon', 'api.diary_health()', 'execute'), 'anonymous may log in and read health');
SELECT ok(NOT has_function_privilege('web_anon', 'api.submit_vote(text, text, uuid)', 'execute')
          AND NOT has_function_privilege('web_anon', 'api.create_route(text, text[], boolean)', 'execute')
          AND NOT has_function_privilege('web_anon', 'api.delete_account()', 'execute'), 'anonymous may not write');
SELECT tests.act_as_anon();
SELECT is(api.diary_health() ->> 'status', 'ok', 'diary health answers anonymously');
SELECT tests.act_as_nobody();

SELECT * FROM finish();
ROLLBACK;
