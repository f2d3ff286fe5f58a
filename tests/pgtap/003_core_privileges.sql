-- Cross-cutting guards over every object of our schemas, present and future: ownership,
-- the api schema's shape, and who can do what.
BEGIN;
SELECT plan(22);

SELECT schema_owner_is(s, 'tsdb_owner', format('schema %s belongs to tsdb_owner', s))
FROM unnest(ARRAY['tsi', 'diary', 'auth', 'analytics', 'audit', 'api', 'hooks']) AS s;

CREATE TEMP VIEW our_namespaces AS
SELECT oid, nspname FROM pg_namespace
WHERE nspname IN ('tsi', 'diary', 'auth', 'analytics', 'audit', 'api', 'hooks');

SELECT is_empty(
    $$ SELECT c.oid::regclass FROM pg_class c JOIN our_namespaces n ON n.oid = c.relnamespace
       WHERE c.relowner <> 'tsdb_owner'::regrole $$,
    'every table, view and sequence of our schemas belongs to tsdb_owner');
SELECT is_empty(
    $$ SELECT p.oid::regprocedure FROM pg_proc p JOIN our_namespaces n ON n.oid = p.pronamespace
       WHERE p.proowner <> 'tsdb_owner'::regrole $$,
    'every function of our schemas belongs to tsdb_owner');
SELECT is_empty(
    $$ SELECT p.oid::regprocedure FROM pg_proc p JOIN our_namespaces n ON n.oid = p.pronamespace
       WHERE has_function_privilege('public', p.oid, 'EXECUTE') $$,
    'no function of our schemas is executable by PUBLIC');

SELECT is_empty(
    $$ SELECT c.oid::regclass FROM pg_class c
       WHERE c.relnamespace = 'api'::regnamespace AND c.relkind <> 'v' $$,
    'the api schema holds views and functions only, no tables');
SELECT is_empty(
    $$ SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'api'::regnamespace
         AND obj_description(p.oid, 'pg_proc') IS NULL $$,
    'every api function has a comment (the OpenAPI description)');
SELECT is_empty(
    $$ SELECT c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace
         AND obj_description(c.oid, 'pg_class') IS NULL $$,
    'every api view has a comment (the OpenAPI description)');

SELECT is_empty(
    $$ SELECT r, nspname FROM unnest(ARRAY['web_anon', 'web_user']) AS r, our_namespaces
       WHERE nspname NOT IN ('api', 'hooks') AND has_schema_privilege(r, oid, 'USAGE') $$,
    'the REST API roles cannot enter any schema but api and hooks');
SELECT is_empty(
    $$ SELECT c.oid::regclass FROM pg_class c WHERE c.relnamespace = 'hooks'::regnamespace $$,
    'hooks holds no table or view');
SELECT results_eq(
    $$ SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = 'hooks'::regnamespace $$,
    $$ VALUES ('hooks.check_request()') $$,
    'hooks holds only the pre-request check, which PostgREST does not expose (db-schemas is api)');
SELECT is_empty(
    $$ SELECT r, nspname FROM unnest(ARRAY['web_anon', 'web_user', 'analyst', 'collector']) AS r, our_namespaces
       WHERE has_schema_privilege(r, oid, 'CREATE') $$,
    'no client role can create objects in our schemas');
SELECT is_empty(
    $$ SELECT c.oid::regclass FROM pg_class c JOIN our_namespaces n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm')
         AND (has_table_privilege('analyst', c.oid, 'INSERT') OR has_table_privilege('analyst', c.oid, 'UPDATE')
              OR has_table_privilege('analyst', c.oid, 'DELETE') OR has_table_privilege('analyst', c.oid, 'TRUNCATE')) $$,
    'analyst cannot change any table');
SELECT ok(NOT has_table_privilege(r, 'auth.jwt_secret', 'SELECT'),
          format('%s cannot read the JWT secret', r))
FROM unnest(ARRAY['web_anon', 'web_user', 'analyst', 'collector']) AS r;

SELECT * FROM finish();
ROLLBACK;
