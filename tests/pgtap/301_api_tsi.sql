-- The safety-index API objects (api/tsi_views, api/tsi_functions, api/legacy, api/privileges,
-- core/role_settings): their shape, who may do what, errors, and the legacy JSON shapes.
BEGIN;
SELECT plan(93);

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
    ('api.legacy_safety_index_one(text)'),
    ('api.legacy_intersection_names()'),
    ('api.legacy_safety_history(text, text, text, text, text)'),
    ('api.legacy_safety_stats(text, text, text, text)'),
    ('api.legacy_safety_history_all(text, text, text, text)'),
    ('api.legacy_intersections_nearby(text, text, text)'),
    ('api.legacy_intersections_route(text, text)');

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

-- Legacy shapes (api/legacy: the old FastAPI backend's JSON, status through response.status) ---------

-- The answer of a legacy call as PostgREST sends it: {"status": HTTP status, "body": JSON}.
SELECT tests.act_as_nobody();
CREATE FUNCTION pg_temp.answer(call text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE body jsonb;
BEGIN
    PERFORM set_config('response.status', '', true);
    EXECUTE format('SELECT (%s)::jsonb', call) INTO body;
    RETURN jsonb_build_object('status', coalesce(nullif(current_setting('response.status', true), ''), '200')::integer, 'body', body);
END $$;
SELECT tests.act_as_anon();

SELECT results_eq($$SELECT * FROM api.legacy_safety_index() WHERE intersection_id BETWEEN 7001 AND 7003$$,
                  $$VALUES (7001, 'API pgTAP 1', 78::float8, 12, 10.0::float8, 10.0::float8),
                           (7002, 'API pgTAP 2', 62::float8, 4, 10.01::float8, 10.0::float8)$$,
                  'legacy index list: IntersectionRead rows of the intersections that have an index only');
SELECT is(pg_temp.answer($$api.legacy_safety_index_one('7002')$$),
          '{"status": 200, "body": {"intersection_id": 7002, "intersection_name": "API pgTAP 2", "safety_index": 62, "traffic_volume": 4, "latitude": 10.01, "longitude": 10.0}}'::jsonb,
          'legacy index of one intersection: the same object');
SELECT is(pg_temp.answer($$api.legacy_safety_index_one('7003')$$),
          '{"status": 404, "body": {"detail": "Intersection not found"}}'::jsonb,
          'legacy index of an intersection without an index: 404 {"detail": ...}');
SELECT is(pg_temp.answer($$api.legacy_safety_index_one('abc')$$),
          '{"status": 422, "body": {"detail": [{"type": "int_parsing", "loc": ["path", "intersection_id"], "msg": "Input should be a valid integer, unable to parse string as an integer", "input": "abc"}]}}'::jsonb,
          'legacy index of a non-integer id: 422 as FastAPI');
SELECT is((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(pg_temp.answer($$api.legacy_safety_history('7001', '1')$$) -> 'body') k),
          ARRAY['aggregation', 'data_points', 'end_date', 'intersection_id', 'intersection_name', 'start_date', 'total_points'],
          'legacy history: the keys of IntersectionHistory');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', '1')$$) -> 'body' -> 'data_points' -> 1,
          jsonb_build_object('timestamp', pg_temp.t0() + interval '1 minute', 'safety_index', 78, 'vru_index', 69,
                             'vehicle_index', 88, 'traffic_volume', 12, 'hour_of_day', 5, 'day_of_week', 0),
          'legacy history: a data point of the last day up to the intersection''s newest data');
SELECT is((pg_temp.answer($$api.legacy_safety_history('7001', '1')$$) -> 'body') - 'data_points' - 'start_date' - 'end_date',
          '{"intersection_id": "7001", "intersection_name": "API pgTAP 1", "total_points": 2, "aggregation": "1min"}'::jsonb,
          'legacy history: the id as a string, 1 day is 1min by default');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', '1', aggregation => 'minute')$$) -> 'body' ->> 'aggregation', 'minute',
          'legacy history: the engine''s words are answered as asked');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', '30', aggregation => '1hour')$$) -> 'status', '404',
          'legacy history: no data in the range is 404 (no hourly rows here), as the old backend');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', '0', aggregation => '2min')$$),
          jsonb_build_object('status', 422, 'body', jsonb_build_object('detail', jsonb_build_array(
              jsonb_build_object('type', 'greater_than_equal', 'loc', jsonb_build_array('query', 'days'),
                                 'msg', 'Input should be greater than or equal to 1', 'input', '0', 'ctx', jsonb_build_object('ge', 1)),
              jsonb_build_object('type', 'string_pattern_mismatch', 'loc', jsonb_build_array('query', 'aggregation'),
                                 'msg', 'String should match pattern ''^(1min|1hour|1day|1week|1month|minute|hour|day|week|month)$''',
                                 'input', '2min',
                                 'ctx', jsonb_build_object('pattern', '^(1min|1hour|1day|1week|1month|minute|hour|day|week|month)$'))))),
          'legacy history: every bad argument in one 422, FastAPI''s shape');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', '3', start_date => '2026-02-30')$$) -> 'body' -> 'detail' #>> '{0,loc,1}',
          'start_date', 'legacy history names an impossible date');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', start_date => '2026-01-05', end_date => '2026-01-01')$$),
          '{"status": 400, "body": {"detail": "start_date must be before or equal to end_date"}}'::jsonb,
          'legacy history: start after end is 400');
SELECT is(pg_temp.answer($$api.legacy_safety_history('7001', start_date => '2024-01-01', end_date => '2026-01-01')$$),
          '{"status": 400, "body": {"detail": "Date range cannot exceed 365 days"}}'::jsonb,
          'legacy history: more than 365 days is 400');
SELECT is(pg_temp.answer($$api.legacy_safety_history('64999', '1')$$) -> 'status', '404', 'legacy history of an unknown intersection is 404');
SELECT is((pg_temp.answer($$api.legacy_safety_stats('7001', '1')$$) -> 'body') - 'period_start' - 'period_end' - 'std_safety_index',
          '{"intersection_id": "7001", "intersection_name": "API pgTAP 1", "avg_safety_index": 61.5, "min_safety_index": 45,
            "max_safety_index": 78, "total_traffic_volume": 22, "avg_traffic_volume": 11, "high_risk_intervals": 1,
            "high_risk_percentage": 50}'::jsonb,
          'legacy stats: the old IntersectionAggregateStats over the minutes');
SELECT ok(abs((pg_temp.answer($$api.legacy_safety_stats('7001', '1')$$) #>> '{body,std_safety_index}')::float8 - sqrt(544.5)) < 1e-9,
          'legacy stats: sample standard deviation');
SELECT is(pg_temp.answer($$api.legacy_safety_stats('7003', '1')$$),
          '{"status": 404, "body": {"detail": "No data found for intersection 7003"}}'::jsonb, 'legacy stats without data: 404');
SELECT is((SELECT array_agg(d ->> 'intersection_id' ORDER BY d ->> 'intersection_id')
           FROM jsonb_array_elements(pg_temp.answer($$api.legacy_safety_history_all('1')$$) -> 'body') d
           WHERE d ->> 'intersection_id' IN ('7001', '7002', '7003')),
          ARRAY['7001', '7002'], 'legacy all histories: the intersections with data');
SELECT is(pg_temp.answer($$api.legacy_safety_history_all('31')$$) #>> '{body,detail,0,type}', 'less_than_equal',
          'legacy all histories: at most 30 days');
SELECT ok((pg_temp.answer($$api.legacy_intersection_names()$$) -> 'body' -> 'intersections') @> '["API pgTAP 1", "API pgTAP 2"]'
          AND NOT (pg_temp.answer($$api.legacy_intersection_names()$$) -> 'body' -> 'intersections') @> '["API pgTAP no data"]',
          'legacy names list: the intersections with an index');
SELECT is((SELECT array_agg((r ->> 'id')::integer ORDER BY (r ->> 'distance_meters')::float8)
           FROM jsonb_array_elements(pg_temp.answer($$api.legacy_intersections_nearby('10.0', '10.0', '1200')$$) -> 'body') r),
          ARRAY[7001, 7002], 'legacy nearby: id, name, … nearest first');
SELECT is(pg_temp.answer($$api.legacy_intersections_nearby(NULL, 'x', '50')$$) -> 'body' -> 'detail',
          '[{"type": "missing", "loc": ["query", "lat"], "msg": "Field required", "input": null},
            {"type": "float_parsing", "loc": ["query", "lon"], "msg": "Input should be a valid number, unable to parse string as a number", "input": "x"},
            {"type": "greater_than_equal", "loc": ["query", "radius"], "msg": "Input should be greater than or equal to 100", "input": "50", "ctx": {"ge": 100}}]'::jsonb,
          'legacy nearby: missing, mistyped and out-of-range arguments named');
SELECT is((SELECT array_agg((r ->> 'id')::integer ORDER BY (r ->> 'id')::integer)
           FROM jsonb_array_elements(pg_temp.answer($$api.legacy_intersections_route('[(10.0,10.0),(10.01,10.0)]', '10')$$) -> 'body') r),
          ARRAY[7001, 7002], 'legacy route: waypoints as [(lat,lon),…]');
SELECT is(pg_temp.answer($$api.legacy_intersections_route('[(10.0,10.0),(x)]')$$) #>> '{body,detail,0,loc,1}', 'waypoints',
          'legacy route: malformed waypoints are a 422 naming them');
SELECT is(pg_temp.answer($$api.legacy_intersections_route('[(95.0,10.0),(10.01,10.0)]')$$) -> 'status', '422',
          'legacy route: waypoints the engine refuses are a 422 too');
SELECT is(pg_temp.answer($$api.legacy_intersections_route('[(10.0,10.0),(10.01,10.0)]', '5')$$) #>> '{body,detail,0,type}',
          'greater_than_equal', 'legacy route names buffer');
SELECT tests.act_as_nobody();

SELECT * FROM finish();
ROLLBACK;
