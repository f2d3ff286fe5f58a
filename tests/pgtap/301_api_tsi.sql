-- The safety-index API objects (api/tsi_views, api/tsi_functions, api/legacy, api/privileges,
-- core/role_settings): their shape, who may do what, errors, and the legacy JSON shapes.
BEGIN;
SELECT plan(72);

SET LOCAL TimeZone = 'UTC';

-- Shape ------------------------------------------------------------------------------------

CREATE TEMP TABLE api_views (name name);
INSERT INTO api_views VALUES ('intersections'), ('latest_indices'), ('safety_indices_hourly'),
                             ('safety_indices_daily'), ('data_quality_events');
CREATE TEMP TABLE api_functions (signature text);
INSERT INTO api_functions VALUES
    ('api.intersection_history(integer, timestamptz, timestamptz, text)'),
    ('api.intersections_near(double precision, double precision, double precision)'),
    ('api.intersections_along_route(jsonb, jsonb, double precision)'),
    ('api.intersections_in_polygon(jsonb)'),
    ('api.tsi_health()'),
    ('api.legacy_safety_index()'),
    ('api.legacy_safety_index_one(integer)'),
    ('api.legacy_safety_history(integer, integer, date, date, text)'),
    ('api.legacy_intersections_nearby(double precision, double precision, integer)'),
    ('api.legacy_intersections_route(text, integer)');

SELECT ok(coalesce((SELECT 'security_invoker=true' = ANY (c.reloptions) FROM pg_class c WHERE c.oid = format('api.%I', name)::regclass), false),
          format('api.%s is a security_invoker view', name))
FROM api_views ORDER BY name;
SELECT ok(obj_description(format('api.%I', name)::regclass, 'pg_class') IS NOT NULL, format('api.%s has a comment', name))
FROM api_views ORDER BY name;
-- PL/pgSQL where the query is worth planning once per connection (api/tsi_functions)
SELECT ok(p.provolatile = 's' AND l.lanname IN ('sql', 'plpgsql'), format('%s is STABLE, LANGUAGE sql or plpgsql', signature))
FROM api_functions f JOIN pg_proc p ON p.oid = f.signature::regprocedure JOIN pg_language l ON l.oid = p.prolang
ORDER BY signature;
SELECT ok(obj_description(signature::regprocedure, 'pg_proc') IS NOT NULL, format('%s has a comment', signature))
FROM api_functions ORDER BY signature;

-- Privileges -------------------------------------------------------------------------------

SELECT ok(has_function_privilege('web_anon', signature, 'execute') AND has_function_privilege('web_user', signature, 'execute')
          AND NOT has_function_privilege('collector', signature, 'execute'),
          format('web_anon and web_user, not the collector, may call %s', signature))
FROM api_functions ORDER BY signature;
SELECT is((SELECT count(*)::integer FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS priv
           WHERE n.nspname IN ('api', 'tsi') AND c.relkind IN ('r', 'v', 'm', 'p')
             AND (has_table_privilege('web_anon', c.oid, priv) OR has_table_privilege('web_user', c.oid, priv))),
          0, 'web_anon and web_user can write no table or view of api or tsi');
SELECT is((SELECT count(*)::integer FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'api' AND has_function_privilege('public', p.oid, 'execute')),
          0, 'PUBLIC may execute no api function');
SELECT ok((SELECT setconfig @> ARRAY['statement_timeout=5s'] FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
           WHERE d.datname = current_database() AND s.setrole = 'web_anon'::regrole),
          'anonymous requests have a 5 s statement timeout in this database');

-- Known data -------------------------------------------------------------------------------
-- t0 = yesterday 10:00 UTC, inside the daily partitions made at deploy.

CREATE FUNCTION pg_temp.t0() RETURNS timestamptz LANGUAGE sql STABLE
AS $$ SELECT date_trunc('day', now(), 'UTC') - interval '1 day' + interval '10 hours' $$;
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (7001, 'API pgTAP 1', 10.000, 10.000),
    (7002, 'API pgTAP 2', 10.010, 10.000),
    (7003, 'API pgTAP no data', 10.020, 10.000);
INSERT INTO tsi.safety_indices_realtime
    (intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb,
     vehicle_index, vehicle_index_eb, traffic_volume, hour_of_day, day_of_week, formula_version)
VALUES (7001, pg_temp.t0(), 50, 45, 40, 35, 60, 55, 10, 5, 0, 1),
       (7001, pg_temp.t0() + interval '1 minute', 80, 78, 70, 69, 90, 88, 12, 5, 0, 1),
       (7002, pg_temp.t0(), 65, 62, 60, 58, 70, 66, 4, 5, 0, 1);
REFRESH MATERIALIZED VIEW tsi.mv_current_safety_status;

SELECT tests.act_as_anon();

SELECT results_eq(
    $$SELECT intersection_id, safety_index, risk_band, traffic_volume, minutes_behind FROM api.latest_indices
      WHERE intersection_id BETWEEN 7001 AND 7003 ORDER BY 1$$,
    $$VALUES (7001, 78::float8, 'high', 12, 0::float8), (7002, 62::float8, 'medium', 4, 1::float8),
             (7003, NULL::float8, NULL, NULL::integer, NULL::float8)$$,
    'latest_indices: newest minute, EB value, risk band, minutes behind the network''s newest');
SELECT results_eq(
    $$SELECT "timestamp", safety_index, aggregation FROM api.intersection_history(7001, pg_temp.t0(), pg_temp.t0() + interval '1 hour')$$,
    $$VALUES (pg_temp.t0(), 45::float8, 'minute'), (pg_temp.t0() + interval '1 minute', 78::float8, 'minute')$$,
    'intersection_history: minutes of a one-hour range, EB values');
SELECT throws_ok($$SELECT * FROM api.intersection_history(64999, now() - interval '1 day', now())$$,
                 'PT404', 'intersection_id 64999 does not exist', 'an unknown intersection is PT404 (HTTP 404)');
SELECT throws_ok($$SELECT * FROM api.intersection_history(7001, NULL, now())$$,
                 '22023', 'start_time must not be NULL', 'a missing start_time is 22023 naming it');
SELECT throws_ok($$SELECT * FROM api.intersection_history(NULL, now() - interval '1 day', now())$$,
                 '22023', 'intersection_id must not be NULL', 'a missing intersection_id is 22023 naming it');
SELECT results_eq($$SELECT id, risk_band FROM api.intersections_near(10.0, 10.0, 1500) WHERE id BETWEEN 7001 AND 7003$$,
                  $$VALUES (7001, 'high'), (7002, 'medium')$$, 'intersections_near: nearest first, with the risk band');
SELECT throws_ok($$SELECT * FROM api.intersections_near(NULL, 10.0)$$, '22023', 'latitude must not be NULL',
                 'intersections_near names a missing latitude');
SELECT results_eq($$SELECT id FROM api.intersections_along_route('"[[10.0, 10.0], [10.01, 10.0]]"'::jsonb, NULL, 10)$$,
                  $$VALUES (7001), (7002)$$, 'intersections_along_route reads waypoints passed as a JSON string (as from a query string)');
SELECT throws_ok($$SELECT * FROM api.intersections_along_route('"[[10.0, 10.0], oops"'::jsonb)$$, '22023', NULL,
                 'waypoints that are not JSON are 22023');
SELECT throws_ok($$SELECT * FROM api.intersections_in_polygon('"{\"type\": \"Point\", \"coordinates\": [10, 10]}"'::jsonb)$$,
                 '22023', 'polygon_geojson must be a GeoJSON Polygon or MultiPolygon (got Point)', 'intersections_in_polygon names its argument');
SELECT is((SELECT count(*)::integer FROM api.intersections_in_polygon(
              '{"type": "Polygon", "coordinates": [[[9.99, 9.99], [10.01, 9.99], [10.01, 10.015], [9.99, 10.015], [9.99, 9.99]]]}')),
          2, 'intersections_in_polygon finds the two inside');
SELECT throws_ok($$INSERT INTO api.latest_indices (intersection_id) VALUES (1)$$, '42501', NULL,
                 'web_anon cannot insert into latest_indices (a join, read-only)');
SELECT throws_ok($$DELETE FROM api.intersections$$, '42501', NULL, 'web_anon cannot delete intersections');
SELECT throws_ok($$UPDATE api.safety_indices_hourly SET avg_si = 0$$, '42501', NULL, 'web_anon cannot update hourly rollups');
SELECT lives_ok($$SELECT * FROM api.tsi_health()$$, 'web_anon may read the engine health');

-- Legacy shapes ------------------------------------------------------------------------------

SELECT results_eq($$SELECT * FROM api.legacy_safety_index() WHERE intersection_id BETWEEN 7001 AND 7002$$,
                  $$VALUES (7001, 'API pgTAP 1', 78::float8, 12, 10.0::float8, 10.0::float8),
                           (7002, 'API pgTAP 2', 62::float8, 4, 10.01::float8, 10.0::float8)$$,
                  'legacy index list: intersection_id, intersection_name, safety_index, traffic_volume, latitude, longitude');
SELECT is(api.legacy_safety_index_one(7002)::jsonb,
          '{"intersection_id": 7002, "intersection_name": "API pgTAP 2", "safety_index": 62, "traffic_volume": 4, "latitude": 10.01, "longitude": 10.0}'::jsonb,
          'legacy index of one intersection: the same object');
SELECT throws_ok($$SELECT api.legacy_safety_index_one(64999)$$, 'PT404', 'intersection_id 64999 does not exist',
                 'legacy index of an unknown intersection is 404');
SELECT is((SELECT array_agg(k ORDER BY k) FROM json_object_keys(api.legacy_safety_history(7001, 1)) k),
          ARRAY['aggregation', 'data_points', 'end_date', 'intersection_id', 'intersection_name', 'start_date', 'total_points'],
          'legacy history: the keys of IntersectionHistory');
SELECT is(api.legacy_safety_history(7001, 1)::jsonb -> 'data_points' -> 1,
          jsonb_build_object('timestamp', pg_temp.t0() + interval '1 minute', 'safety_index', 78, 'vru_index', 69,
                             'vehicle_index', 88, 'traffic_volume', 12, 'hour_of_day', 5, 'day_of_week', 0),
          'legacy history: a data point of the last day up to the intersection''s newest data');
SELECT is(api.legacy_safety_history(7001, 1) ->> 'total_points', '2', 'legacy history: total_points');
SELECT is(api.legacy_safety_history(7001, 30) ->> 'aggregation', 'hour', 'legacy history: 30 days are hourly');
SELECT throws_ok($$SELECT api.legacy_safety_history(7001, 0)$$, '22023', 'days must be between 1 and 3650 (got 0)',
                 'legacy history names days out of range');
SELECT throws_ok($$SELECT api.legacy_safety_history(7001, NULL, '2026-01-01')$$, '22023', 'end_date must be given with start_date',
                 'legacy history names the missing end_date');
SELECT results_eq($$SELECT id, name FROM api.legacy_intersections_nearby(10.0, 10.0, 1200)$$,
                  $$VALUES (7001, 'API pgTAP 1'), (7002, 'API pgTAP 2')$$, 'legacy nearby: id, name, … nearest first');
SELECT throws_ok($$SELECT * FROM api.legacy_intersections_nearby(10.0, NULL)$$, '22023', 'lon must not be NULL',
                 'legacy nearby names lon');
SELECT results_eq($$SELECT id FROM api.legacy_intersections_route('[(10.0,10.0),(10.01,10.0)]', 10)$$,
                  $$VALUES (7001), (7002)$$, 'legacy route: waypoints as [(lat,lon),…]');
SELECT throws_ok($$SELECT * FROM api.legacy_intersections_route('[(10.0,10.0),(x)]')$$, '22023', NULL,
                 'legacy route: malformed waypoints are 22023, even as a constant the planner could fold');
SELECT throws_ok($$SELECT * FROM api.legacy_intersections_route('[(10.0,10.0),(10.01,10.0)]', 5)$$, '22023',
                 'buffer must be between 10 and 5000 (got 5)', 'legacy route names buffer');
SELECT tests.act_as_nobody();

SELECT * FROM finish();
ROLLBACK;
