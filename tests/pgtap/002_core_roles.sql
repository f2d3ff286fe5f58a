-- The roles of the system, their attributes and memberships.
BEGIN;
SELECT plan(14);

SELECT has_role(r, format('role %s exists', r))
FROM unnest(ARRAY['tsdb_owner', 'authenticator', 'web_anon', 'web_user', 'collector', 'analyst']) AS r;

SELECT is_empty(
    $$ SELECT rolname FROM pg_roles
       WHERE rolname IN ('tsdb_owner', 'authenticator', 'web_anon', 'web_user', 'collector', 'analyst')
         AND (rolsuper OR rolcreaterole OR rolcreatedb OR rolbypassrls OR rolreplication) $$,
    'no role of ours is a superuser or may create roles or databases or bypass RLS');

SELECT is(
    ARRAY(SELECT rolname::text FROM pg_roles
          WHERE rolcanlogin
            AND rolname IN ('tsdb_owner', 'authenticator', 'web_anon', 'web_user', 'collector', 'analyst')
          ORDER BY rolname),
    ARRAY['analyst', 'authenticator', 'collector', 'tsdb_owner'],
    'only authenticator, collector, analyst and the owner (for pg_cron jobs) can log in');

SELECT is((SELECT rolinherit FROM pg_roles WHERE rolname = 'authenticator'), false,
          'authenticator is NOINHERIT: it has no rights until PostgREST switches role');
SELECT is_member_of('web_anon', 'authenticator', 'authenticator can switch to web_anon');
SELECT is_member_of('web_user', 'authenticator', 'authenticator can switch to web_user');
SELECT ok(NOT pg_has_role('authenticator', 'collector', 'MEMBER')
          AND NOT pg_has_role('authenticator', 'tsdb_owner', 'MEMBER'),
          'authenticator cannot become the collector or the owner');

SELECT ok((SELECT setconfig FROM pg_db_role_setting s
           JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database()
           WHERE s.setrole = 'analyst'::regrole) @> ARRAY['default_transaction_read_only=on'],
          'analyst sessions are read-only by default in this database');
SELECT ok((SELECT setconfig FROM pg_db_role_setting s
           JOIN pg_database d ON d.oid = s.setdatabase AND d.datname = current_database()
           WHERE s.setrole = 'analyst'::regrole) @> ARRAY['search_path=tsi, diary, analytics, public'],
          'analysts find the data schemas on their search_path');

SELECT * FROM finish();
ROLLBACK;
