-- Extensions the whole system builds on, and that each one really works.
BEGIN;
SELECT plan(9);

SELECT has_extension('postgis', 'PostGIS is installed');
SELECT has_extension('pg_cron', 'pg_cron is installed');
SELECT has_extension('pgcrypto', 'pgcrypto is installed');
SELECT has_extension('btree_gist', 'btree_gist is installed');
SELECT has_extension('pg_trgm', 'pg_trgm is installed');

SELECT matches(current_setting('shared_preload_libraries'), '(^|,)\s*pg_cron\s*(,|$)',
               'pg_cron is preloaded, so its scheduler runs');
SELECT is(current_setting('TimeZone'), 'UTC', 'the server works in UTC');

-- Two points 60 m apart at intersection 152: distances are metres on the geography.
SELECT is(round(ST_Distance(ST_MakePoint(-77.227696, 38.862981)::geography,
                            ST_MakePoint(-77.227005, 38.862981)::geography)),
          60::float8, 'PostGIS measures geography distances in metres');

SELECT ok(crypt('correct horse', gen_salt('bf')) ~ '^\$2a\$06\$',
          'pgcrypto produces bcrypt hashes');

SELECT * FROM finish();
ROLLBACK;
