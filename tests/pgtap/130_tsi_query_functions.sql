-- The query functions of the safety-index engine (tsi/latest_indices, tsi/history,
-- tsi/spatial_queries, tsi/current_status): latest index per
-- intersection, history routed by range length, and the spatial searches, on known data.
BEGIN;
SELECT plan(166);

-- Error messages print timestamps in the session's time zone.
SET LOCAL TimeZone = 'UTC';

-- Shape ------------------------------------------------------------------------------------

SELECT has_view('tsi', 'minute_indices', 'the view tsi.minute_indices defines the served 1-minute indices (EB, raw fallback) once');
SELECT has_materialized_view('tsi', 'mv_current_safety_status', 'the snapshot of tsi.latest_indices() that the API reads');

CREATE TEMP TABLE public_functions (name name, args name[]);
INSERT INTO public_functions VALUES
    ('latest_indices', ARRAY[]::name[]),
    ('intersection_history', ARRAY['integer', 'timestamp with time zone', 'timestamp with time zone', 'text']),
    ('intersections_near', ARRAY['double precision', 'double precision', 'double precision']),
    ('intersections_along_route', ARRAY['jsonb', 'jsonb', 'double precision']),
    ('intersections_in_polygon', ARRAY['jsonb']);

SELECT has_function('tsi', name, args, format('tsi.%s(%s) exists', name, array_to_string(args, ', ')))
FROM public_functions ORDER BY name;
SELECT function_lang_is('tsi', name, args, 'sql', format('tsi.%s is LANGUAGE sql (inlinable)', name))
FROM public_functions ORDER BY name;
SELECT volatility_is('tsi', name, args, 'stable', format('tsi.%s is STABLE', name))
FROM public_functions ORDER BY name;
SELECT ok(has_function_privilege('analyst', format('tsi.%s(%s)', name, array_to_string(args, ', ')), 'execute'),
          format('analyst may execute tsi.%s', name))
FROM public_functions ORDER BY name;
SELECT ok(obj_description(format('tsi.%s(%s)', name, array_to_string(args, ', '))::regprocedure, 'pg_proc') IS NOT NULL,
          format('tsi.%s has a comment', name))
FROM public_functions ORDER BY name;

-- Known data -------------------------------------------------------------------------------
-- t0 = yesterday 00:00 UTC: inside the daily partitions that exist (made sure of below).

CREATE FUNCTION pg_temp.t0() RETURNS timestamptz LANGUAGE sql STABLE
AS $$ SELECT date_trunc('day', now(), 'UTC') - interval '1 day' $$;
DO $$ BEGIN
    PERFORM tsi.create_daily_partitions('tsi.safety_indices_realtime',
                                        (pg_temp.t0() AT TIME ZONE 'UTC')::date - 1, (pg_temp.t0() AT TIME ZONE 'UTC')::date + 1);
END $$;

-- Only our data: whatever else exists goes (the whole test is rolled back).
DELETE FROM tsi.intersections;

INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (152, 'Intersection 152', 38.862981, -77.227696),
    (156, 'Intersection 156', 38.928411, -77.241071),
    (158, 'Intersection 158', 38.920952, -77.233830),
    (159, 'Intersection 159', 38.918318, -77.230614),
    (3837, 'Intersection 3837', 37.187012, -80.395026),
    (4000, 'No data yet', 38.900000, -77.200000);

-- (intersection, minutes after t0 + 10:00, combined, EB combined, vru, vru EB, vehicle, vehicle EB, volume)
-- 152's newest row is inserted first and is older than 156's newest (10:05, the network's newest);
-- 156's newest has no EB value; 159's index is 0, a value, not missing (trap 9).
INSERT INTO tsi.safety_indices_realtime
    (intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb,
     vehicle_index, vehicle_index_eb, traffic_volume, hour_of_day, day_of_week, formula_version)
SELECT v.id, ts, v.c, v.c_eb, v.vru, v.vru_eb, v.veh, v.veh_eb, v.volume,
       extract(hour FROM ts AT TIME ZONE 'America/New_York')::integer,
       extract(isodow FROM ts AT TIME ZONE 'America/New_York')::integer - 1, 1
FROM (VALUES
    (152,     2, 61.5, 55.25, 70.0, 60.0, 40.0, NULL, 12),
    (152,     0, 50.0, 45.0,  NULL, NULL, NULL, NULL, 5),
    (152,     1, 52.0, 47.0,  NULL, NULL, NULL, NULL, 6),
    (152, -1440, 90.0, 88.0,  NULL, NULL, NULL, NULL, 7),
    (156,     0, 30.0, 25.0,  31.0, 26.0, 29.0, 24.0, 1),
    (156,     1, 31.0, 26.0,  32.0, 27.0, 30.0, 25.0, 2),
    (156,     2, 32.0, 27.0,  33.0, 28.0, 31.0, 26.0, 3),
    (156,     3, 33.0, 28.0,  34.0, 29.0, 32.0, 27.0, 4),
    (156,     4, 34.0, 29.0,  35.0, 30.0, 33.0, 28.0, 5),
    (156,     5, 35.0, NULL,  36.0, NULL, 34.0, NULL, 6),
    (158,   -30, 20.0, 22.0,  NULL, NULL, NULL, NULL, 3),
    (159,     4,  0.0,  0.0,  0.0,  0.0,  0.0,  0.0,  0),
    (3837,    3, 80.0, 76.0,  NULL, NULL, NULL, NULL, 9)
) AS v (id, minute, c, c_eb, vru, vru_eb, veh, veh_eb, volume)
CROSS JOIN LATERAL (SELECT pg_temp.t0() + interval '10 hours' + v.minute * interval '1 minute' AS ts) t;

-- Hourly rows of 156 (hours after t0), inserted out of order; t0 − 2 days and t0 + 1 day are
-- the bounds of the 3-day range below, t0 − 3 days is outside it.
INSERT INTO tsi.safety_indices_hourly
    (intersection_id, hour_timestamp, avg_si, min_si, max_si, total_volume, avg_volume,
     avg_vru_index, avg_vehicle_index, minutes_with_data, hour_of_day, day_of_week)
SELECT 156, pg_temp.t0() + v.hours * interval '1 hour', v.si, v.si, v.si, v.volume, 1, v.si + 1, v.si - 1, 60, 3, 2
FROM (VALUES (10, 43.0, 300), (-48, 41.0, 100), (-14, 42.0, 200), (24, 44.0, 400), (-72, 40.0, 50)) AS v (hours, si, volume);

-- Daily rows of 156 (days after t0's date); the 100-day range below runs from t0 − 99 days to
-- t0 + 1 day, so the local midnights (05:00 or 04:00 UTC) of days −99 … 0 fall inside it.
INSERT INTO tsi.safety_indices_daily
    (intersection_id, date, avg_si, min_si, max_si, total_volume, avg_volume,
     avg_vru_index, avg_vehicle_index, hours_with_data, day_of_week)
SELECT 156, (pg_temp.t0() AT TIME ZONE 'UTC')::date + v.days, v.si, v.si, v.si, v.volume, 1, v.si + 1, v.si - 1, 24, 4
FROM (VALUES (0, 53.0, 3000), (-100, 50.0, 500), (-99, 51.0, 1000), (1, 54.0, 4000), (-50, 52.0, 2000)) AS v (days, si, volume);

-- Latest ----------------------------------------------------------------------------------

-- The spatial searches read the snapshot of tsi.latest_indices().
REFRESH MATERIALIZED VIEW tsi.mv_current_safety_status;

SELECT results_eq(
    $$ SELECT intersection_id, intersection_name, safety_index, combined_index, vru_index, vehicle_index,
              traffic_volume, last_updated, minutes_behind
       FROM tsi.latest_indices() $$,
    $$ SELECT * FROM (VALUES
           (152, 'Intersection 152', 55.25::float8, 61.5::float8, 60.0::float8, 40.0::float8, 12,
            pg_temp.t0() + interval '10:02', 3::float8),
           (156, 'Intersection 156', 35.0, 35.0, 36.0, 34.0, 6, pg_temp.t0() + interval '10:05', 0),
           (158, 'Intersection 158', 22.0, 20.0, NULL, NULL, 3, pg_temp.t0() + interval '09:30', 35),
           (159, 'Intersection 159', 0.0, 0.0, 0.0, 0.0, 0, pg_temp.t0() + interval '10:04', 1),
           (3837, 'Intersection 3837', 76.0, 80.0, NULL, NULL, 9, pg_temp.t0() + interval '10:03', 2),
           (4000, 'No data yet', NULL, NULL, NULL, NULL, NULL, NULL, NULL)
       ) AS v (intersection_id, intersection_name, safety_index, combined_index, vru_index, vehicle_index,
               traffic_volume, last_updated, minutes_behind) $$,
    'latest_indices: every intersection by id, its own newest row, EB with raw fallback, minutes behind the network''s newest row, NULLs without data');
-- 156 and 159 have rows in the network's last two minutes (read at once), 152, 3837 and 158 only
-- older ones (probed one by one): both ways give the newest row.
SELECT results_eq(
    $$ SELECT intersection_id, intersection_name, safety_index, combined_index, vru_index, vehicle_index, traffic_volume,
              latitude, longitude, last_updated FROM tsi.latest_indices() $$,
    $$ SELECT i.id, i.name::text, l.safety_index, l.combined_index, l.vru_index, l.vehicle_index, l.traffic_volume,
              i.latitude, i.longitude, l.timestamp
       FROM tsi.intersections i
       LEFT JOIN LATERAL (SELECT * FROM tsi.minute_indices m WHERE m.intersection_id = i.id ORDER BY m.timestamp DESC LIMIT 1) l ON true
       ORDER BY i.id $$,
    'latest_indices agrees with a probe of each intersection''s newest row, for recent and for older newest rows');
SELECT is(
    (SELECT row(latitude, longitude)::text FROM tsi.latest_indices() WHERE intersection_id = 3837),
    row(37.187012::float8, -80.395026::float8)::text,
    'latest_indices gives the intersection''s coordinates');
SELECT is(
    (SELECT last_updated FROM tsi.latest_indices() WHERE intersection_id = 152),
    pg_temp.t0() + interval '10:02',
    'latest_indices picks 152''s newest row although 156 has newer data and 152''s newest was inserted first');
SELECT is(
    (SELECT count(*) FROM tsi.latest_indices() WHERE last_updated < now() - interval '12 hours'),
    5::bigint,
    'latest means latest data: rows older than any wall-clock window still count (trap 10)');

-- History -----------------------------------------------------------------------------------

SELECT results_eq(
    $$ SELECT timestamp, safety_index, vru_index, vehicle_index, traffic_volume, aggregation
       FROM tsi.intersection_history(156, pg_temp.t0(), pg_temp.t0() + interval '2 days') $$,
    $$ SELECT pg_temp.t0() + interval '10 hours' + m * interval '1 minute',
              CASE WHEN m = 5 THEN 35 ELSE 25 + m END::float8, CASE WHEN m = 5 THEN 36 ELSE 26 + m END::float8,
              CASE WHEN m = 5 THEN 34 ELSE 24 + m END::float8, m + 1::bigint, 'minute'
       FROM generate_series(0, 5) m $$,
    'history over 2 days: 1-minute rows in order, EB with raw fallback');
SELECT results_eq(
    $$ SELECT hour_of_day, day_of_week FROM tsi.intersection_history(156, pg_temp.t0(), pg_temp.t0() + interval '1 day') LIMIT 1 $$,
    $$ SELECT extract(hour FROM ts AT TIME ZONE 'America/New_York')::integer,
              extract(isodow FROM ts AT TIME ZONE 'America/New_York')::integer - 1
       FROM (SELECT pg_temp.t0() + interval '10 hours' AS ts) t $$,
    'minute history carries the row''s local hour_of_day and day_of_week');
SELECT results_eq(
    $$ SELECT timestamp FROM tsi.intersection_history(156, pg_temp.t0() + interval '10:01', pg_temp.t0() + interval '10:04') $$,
    $$ SELECT pg_temp.t0() + interval '10:01' + m * interval '1 minute' FROM generate_series(0, 2) m $$,
    'history includes start_time and excludes end_time');
SELECT results_eq(
    $$ SELECT timestamp, safety_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week, aggregation
       FROM tsi.intersection_history(156, pg_temp.t0() - interval '2 days', pg_temp.t0() + interval '1 day') $$,
    $$ SELECT pg_temp.t0() + h * interval '1 hour', si::float8, si + 1::float8, si - 1::float8, v::bigint, 3, 2, 'hour'
       FROM (VALUES (-48, 41, 100), (-14, 42, 200), (10, 43, 300)) AS x (h, si, v) $$,
    'history over 3 days: hourly rows in order, from start_time (included) to end_time (excluded)');
SELECT results_eq(
    $$ SELECT timestamp, safety_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week, aggregation
       FROM tsi.intersection_history(156, pg_temp.t0() - interval '99 days', pg_temp.t0() + interval '1 day') $$,
    $$ SELECT ((pg_temp.t0() AT TIME ZONE 'UTC')::date + d)::timestamp AT TIME ZONE 'America/New_York',
              si::float8, si + 1::float8, si - 1::float8, v::bigint, 0, 4, 'day'
       FROM (VALUES (-99, 51, 1000), (-50, 52, 2000), (0, 53, 3000)) AS x (d, si, v) $$,
    'history over 100 days: daily rows at local midnight (hour_of_day 0), the days whose midnight lies in the range');
SELECT is(
    (SELECT array_agg(DISTINCT aggregation) FROM tsi.intersection_history(156, pg_temp.t0() - interval '2 days', pg_temp.t0() + interval '1 second')),
    ARRAY['hour'],
    'a range of 2 days and 1 second reads hourly rows');
SELECT is(
    (SELECT array_agg(DISTINCT aggregation) FROM tsi.intersection_history(156, pg_temp.t0() - interval '89 days', pg_temp.t0() + interval '1 day')),
    ARRAY['hour'],
    'a range of exactly 90 days reads hourly rows');
SELECT is(
    (SELECT array_agg(DISTINCT aggregation) FROM tsi.intersection_history(156, pg_temp.t0() - interval '89 days 1 second', pg_temp.t0() + interval '1 day')),
    ARRAY['day'],
    'a range of 90 days and 1 second reads daily rows');
SELECT results_eq(
    $$ SELECT timestamp, aggregation FROM tsi.intersection_history(156, pg_temp.t0(), pg_temp.t0() + interval '1 day', 'hour') $$,
    $$ VALUES (pg_temp.t0() + interval '10 hours', 'hour') $$,
    'explicit aggregation hour over one day');
SELECT results_eq(
    $$ SELECT timestamp, aggregation FROM tsi.intersection_history(156, pg_temp.t0() - interval '1 day', pg_temp.t0() + interval '1 day', 'day') $$,
    $$ VALUES (((pg_temp.t0() AT TIME ZONE 'UTC')::date)::timestamp AT TIME ZONE 'America/New_York', 'day') $$,
    'explicit aggregation day over two days');
SELECT is(
    (SELECT count(*) FROM tsi.intersection_history(156, pg_temp.t0() - interval '99 days', pg_temp.t0() + interval '1 day', 'minute')
      WHERE aggregation = 'minute'),
    6::bigint,
    'explicit aggregation minute over 100 days');
SELECT is_empty(
    $$ SELECT * FROM tsi.intersection_history(4000, pg_temp.t0() - interval '1 day', pg_temp.t0() + interval '1 day') $$,
    'an intersection without data has an empty history, not an error');

-- Near ------------------------------------------------------------------------------------

SELECT results_eq(
    $$ SELECT id, name, safety_index, traffic_volume, last_updated FROM tsi.intersections_near(38.918318, -77.230614, 5000) $$,
    $$ VALUES (159, 'Intersection 159', 0.0::float8, 0, pg_temp.t0() + interval '10:04'),
              (158, 'Intersection 158', 22.0, 3, pg_temp.t0() + interval '09:30'),
              (156, 'Intersection 156', 35.0, 6, pg_temp.t0() + interval '10:05'),
              (4000, 'No data yet', NULL, NULL, NULL) $$,
    'near 159 within 5 km: nearest first, with the latest index (NULL without data)');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_near(38.918318, -77.230614)),
    ARRAY[159, 158, 156, 4000],
    'radius_m defaults to 5000');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_near(38.918318, -77.230614, 7000)),
    ARRAY[159, 158, 156, 4000, 152],
    'a 7 km radius reaches 152, the farthest');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_near(38.9187, -77.2306, 100)),
    ARRAY[159],
    'a 100 m radius holds only the intersection 42 m away');
SELECT ok(
    abs((SELECT distance_meters FROM tsi.intersections_near(38.918318, -77.230614, 7000) WHERE id = 152)
        - ST_Distance('SRID=4326;POINT(-77.227696 38.862981)'::geography, 'SRID=4326;POINT(-77.230614 38.918318)'::geography)) < 1,
    '152 to 159: distance_meters equals ST_Distance on the geography (±1 m)');
SELECT ok(
    (SELECT distance_meters BETWEEN 6100 AND 6200 FROM tsi.intersections_near(38.918318, -77.230614, 7000) WHERE id = 152),
    '152 to 159 is about 6.15 km');
SELECT ok(
    abs((SELECT distance_meters FROM tsi.intersections_near(38.918318, -77.230614) WHERE id = 158)
        - ST_Distance('SRID=4326;POINT(-77.233830 38.920952)'::geography, 'SRID=4326;POINT(-77.230614 38.918318)'::geography)) < 1,
    '158 to 159: distance_meters equals ST_Distance on the geography (±1 m)');
SELECT is(
    (SELECT distance_meters FROM tsi.intersections_near(38.918318, -77.230614) WHERE id = 159),
    0::float8,
    'the intersection at the point is 0 m away');
SELECT lives_ok(
    $$ SELECT * FROM tsi.intersections_near(90, -180, 50000) UNION ALL SELECT * FROM tsi.intersections_near(-90, 180, 100) $$,
    'near accepts the bounds of latitude, longitude and radius_m');

-- Along a route ---------------------------------------------------------------------------

SELECT results_eq(
    $$ SELECT id, safety_index FROM tsi.intersections_along_route('[[38.862981, -77.227696], [38.918318, -77.230614]]') $$,
    $$ VALUES (152, 55.25::float8), (159, 0.0), (158, 22.0) $$,
    'route 152 → 159 as [lat, lon] waypoints, 500 m buffer by default: on the line first, then 158 past its end');
SELECT ok(
    (SELECT bool_and(abs(r.distance_meters - ST_Distance(i.geometry::geography,
                         'SRID=4326;LINESTRING(-77.227696 38.862981, -77.230614 38.918318)'::geography)) < 1)
     FROM tsi.intersections_along_route('[[38.862981, -77.227696], [38.918318, -77.230614]]') r
     JOIN tsi.intersections i ON i.id = r.id),
    'route: distance_meters is the distance to the line on the geography (±1 m)');
SELECT ok(
    (SELECT distance_meters BETWEEN 300 AND 500 FROM tsi.intersections_along_route('[[38.862981, -77.227696], [38.918318, -77.230614]]') WHERE id = 158),
    'route: 158 is some 400 m past the end of the line');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_along_route('[[38.862981, -77.227696], [38.918318, -77.230614]]', buffer_m => 100)),
    ARRAY[152, 159],
    'route: a 100 m buffer keeps only the intersections on the line');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_along_route(
         route_geojson => '{"type": "LineString", "coordinates": [[-77.241071, 38.928411], [-77.233830, 38.920952]]}', buffer_m => 100)),
    ARRAY[156, 158],
    'route as a GeoJSON LineString ([lon, lat]) from 156 to 158, 100 m buffer');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_along_route(
         route_geojson => '{"type": "LineString", "coordinates": [[-77.241071, 38.928411], [-77.233830, 38.920952]]}', buffer_m => 1000)),
    ARRAY[156, 158, 159],
    'route as GeoJSON with a 1 km buffer adds 159');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_along_route('[[38.862981, -77.227696], [38.918318, -77.230614]]', 'null', 10)),
    ARRAY[152, 159],
    'route: JSON null counts as not given, and 10 m is an accepted buffer');

-- In a polygon ----------------------------------------------------------------------------

SELECT results_eq(
    $$ SELECT id, name, latitude, longitude, distance_meters, safety_index, traffic_volume, last_updated
       FROM tsi.intersections_in_polygon('{"type": "Polygon", "coordinates":
           [[[-77.25, 38.91], [-77.22, 38.91], [-77.22, 38.93], [-77.25, 38.93], [-77.25, 38.91]]]}') $$,
    $$ VALUES (156, 'Intersection 156', 38.928411::float8, -77.241071::float8, 0::float8, 35.0::float8, 6, pg_temp.t0() + interval '10:05'),
              (158, 'Intersection 158', 38.920952, -77.233830, 0, 22.0, 3, pg_temp.t0() + interval '09:30'),
              (159, 'Intersection 159', 38.918318, -77.230614, 0, 0.0, 0, pg_temp.t0() + interval '10:04') $$,
    'polygon: the intersections inside, by id, distance 0, with the latest index');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_in_polygon('{"type": "MultiPolygon", "coordinates": [
         [[[-77.25, 38.91], [-77.22, 38.91], [-77.22, 38.93], [-77.25, 38.93], [-77.25, 38.91]]],
         [[[-80.40, 37.18], [-80.39, 37.18], [-80.39, 37.19], [-80.40, 37.19], [-80.40, 37.18]]]]}')),
    ARRAY[156, 158, 159, 3837],
    'multipolygon: the intersections inside either part');
SELECT is(
    (SELECT array_agg(id) FROM tsi.intersections_in_polygon('{"type": "Polygon", "coordinates":
         [[[-77.3, 38.9], [-77.2, 38.9], [-77.2, 38.95], [-77.3, 38.95], [-77.3, 38.9]]]}')),
    ARRAY[156, 158, 159, 4000],
    'polygon: an intersection on the boundary is covered');
SELECT is_empty(
    $$ SELECT * FROM tsi.intersections_in_polygon('{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}') $$,
    'polygon: none inside, no rows');

-- Argument errors --------------------------------------------------------------------------
-- Every case is run twice: on the data above, and with no intersection at all, where a check
-- that depended on rows being read would stay silent. throws_ok checks the SQLSTATE and the
-- exact message; where the message quotes PostGIS (pattern), throws_like checks its start.

CREATE TEMP TABLE error_cases (n serial, call text, sqlstate text, message text, pattern boolean DEFAULT false, what text);
INSERT INTO error_cases (call, sqlstate, message, what) VALUES
    -- history
    ($$ tsi.intersection_history(156, '2026-01-02 00:00+00', '2026-01-02 00:00+00') $$, '22023',
     'end_time must be later than start_time (got start_time 2026-01-02 00:00:00+00, end_time 2026-01-02 00:00:00+00)',
     'history: end_time = start_time'),
    ($$ tsi.intersection_history(156, '2026-01-02 00:00+00', '2026-01-01 00:00+00') $$, '22023',
     'end_time must be later than start_time (got start_time 2026-01-02 00:00:00+00, end_time 2026-01-01 00:00:00+00)',
     'history: end_time before start_time'),
    ($$ tsi.intersection_history(156, pg_temp.t0(), pg_temp.t0() + interval '1 day', 'week') $$, '22023',
     'aggregation must be one of minute, hour, day (got week)', 'history: an unknown aggregation'),
    ($$ tsi.intersection_history(4000, pg_temp.t0(), pg_temp.t0() + interval '1 day', 'MINUTE') $$, '22023',
     'aggregation must be one of minute, hour, day (got MINUTE)', 'history: an aggregation in capitals'),
    ($$ tsi.intersection_history(4242, pg_temp.t0(), pg_temp.t0() + interval '1 day') $$, 'P0002',
     'intersection_id 4242 does not exist', 'history: an unknown intersection (no_data_found)'),
    ($$ tsi.intersection_history(NULL, pg_temp.t0(), pg_temp.t0() + interval '1 day') $$, '22023',
     'intersection_id must not be NULL', 'history: NULL intersection_id'),
    ($$ tsi.intersection_history(156, NULL, pg_temp.t0()) $$, '22023', 'start_time must not be NULL', 'history: NULL start_time'),
    ($$ tsi.intersection_history(156, pg_temp.t0(), NULL, 'hour') $$, '22023', 'end_time must not be NULL', 'history: NULL end_time'),
    -- near
    ($$ tsi.intersections_near(91, -77.23) $$, '22023', 'latitude must be between -90 and 90 (got 91)', 'near: latitude above 90'),
    ($$ tsi.intersections_near(-90.5, -77.23) $$, '22023', 'latitude must be between -90 and 90 (got -90.5)', 'near: latitude below -90'),
    ($$ tsi.intersections_near(38.9, 181) $$, '22023', 'longitude must be between -180 and 180 (got 181)', 'near: longitude above 180'),
    ($$ tsi.intersections_near(38.9, -180.25) $$, '22023', 'longitude must be between -180 and 180 (got -180.25)', 'near: longitude below -180'),
    ($$ tsi.intersections_near(38.918318, -77.230614, 20) $$, '22023', 'radius_m must be between 100 and 50000 (got 20)', 'near: radius_m below 100'),
    ($$ tsi.intersections_near(38.918318, -77.230614, 50001) $$, '22023', 'radius_m must be between 100 and 50000 (got 50001)', 'near: radius_m above 50000'),
    ($$ tsi.intersections_near(38.9, -77.23, 'NaN') $$, '22023', 'radius_m must be between 100 and 50000 (got NaN)', 'near: NaN radius_m'),
    ($$ tsi.intersections_near(NULL, -77.23) $$, '22023', 'latitude must not be NULL', 'near: NULL latitude'),
    ($$ tsi.intersections_near(38.9, NULL) $$, '22023', 'longitude must not be NULL', 'near: NULL longitude'),
    ($$ tsi.intersections_near(38.9, -77.23, NULL) $$, '22023', 'radius_m must not be NULL', 'near: NULL radius_m'),
    -- along a route
    ($$ tsi.intersections_along_route('[[38.86, -77.22], [38.91, -77.23]]',
                                      '{"type": "LineString", "coordinates": [[-77.22, 38.86], [-77.23, 38.91]]}') $$, '22023',
     'exactly one of waypoints and route_geojson must be given (got both)', 'route: both forms'),
    ($$ tsi.intersections_along_route() $$, '22023',
     'exactly one of waypoints and route_geojson must be given (got neither)', 'route: neither form'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22]]') $$, '22023',
     'waypoints must have at least 2 points (got 1)', 'route: a single waypoint'),
    ($$ tsi.intersections_along_route('{"lat": 38.86, "lon": -77.22}') $$, '22023',
     'waypoints must be a JSON array of [lat, lon] pairs (got object)', 'route: waypoints that are no array'),
    ($$ tsi.intersections_along_route('[[95, -77.22], [38.91, -77.23]]') $$, '22023',
     'waypoints[0] latitude must be between -90 and 90 (got 95)', 'route: a waypoint latitude out of range'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22], [38.91, -190]]') $$, '22023',
     'waypoints[1] longitude must be between -180 and 180 (got -190)', 'route: a waypoint longitude out of range'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22], ["38.91", "-77.23"]]') $$, '22023',
     'waypoints[1] must be a [lat, lon] pair of numbers (got ["38.91", "-77.23"])', 'route: a waypoint of strings'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22], [38.91, -77.23, 12]]') $$, '22023',
     'waypoints[1] must be a [lat, lon] pair of numbers (got [38.91, -77.23, 12])', 'route: a waypoint of three numbers'),
    ($$ tsi.intersections_along_route(route_geojson => '{"type": "Point", "coordinates": [-77.22, 38.86]}') $$, '22023',
     'route_geojson must be a GeoJSON LineString (got Point)', 'route: GeoJSON other than a LineString'),
    ($$ tsi.intersections_along_route(route_geojson => '{"type": "LineString", "coordinates": [[-77.22, 38.86]]}') $$, '22023',
     'route_geojson must have at least 2 points (got 1)', 'route: a GeoJSON LineString of one point'),
    ($$ tsi.intersections_along_route(route_geojson => '{"type": "LineString", "coordinates": [["a", "b"], [-77.23, 38.91]]}') $$, '22023',
     'route_geojson: every coordinate must be a number', 'route: GeoJSON coordinates that are no numbers'),
    ($$ tsi.intersections_along_route(route_geojson => '{"type": "LineString", "coordinates": [[38.86, -95], [38.91, -77.23]]}') $$, '22023',
     'route_geojson has coordinates out of range (GeoJSON order is [longitude, latitude]; longitude -180..180, latitude -90..90)',
     'route: GeoJSON coordinates out of range'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22], [38.91, -77.23]]', buffer_m => 5) $$, '22023',
     'buffer_m must be between 10 and 5000 (got 5)', 'route: buffer_m below 10'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22], [38.91, -77.23]]', buffer_m => 5001) $$, '22023',
     'buffer_m must be between 10 and 5000 (got 5001)', 'route: buffer_m above 5000'),
    ($$ tsi.intersections_along_route('[[38.86, -77.22], [38.91, -77.23]]', buffer_m => NULL) $$, '22023',
     'buffer_m must not be NULL', 'route: NULL buffer_m'),
    -- in a polygon
    ($$ tsi.intersections_in_polygon('{"type": "LineString", "coordinates": [[-77.22, 38.86], [-77.23, 38.91]]}') $$, '22023',
     'polygon_geojson must be a GeoJSON Polygon or MultiPolygon (got LineString)', 'polygon: another geometry type'),
    ($$ tsi.intersections_in_polygon('[1, 2]') $$, '22023',
     'polygon_geojson must be a GeoJSON object (got array)', 'polygon: JSON that is no object'),
    ($$ tsi.intersections_in_polygon(NULL) $$, '22023', 'polygon_geojson must not be NULL', 'polygon: NULL');
INSERT INTO error_cases (call, sqlstate, message, pattern, what) VALUES
    ($$ tsi.intersections_along_route(route_geojson => '{"type": "LineString", "coordinates": "none"}') $$, '22023',
     'route_geojson: every coordinate must be a number', false, 'route: GeoJSON coordinates that are no array'),
    ($$ tsi.intersections_along_route(route_geojson => '{"type": "LineString"}') $$, '22023',
     'route_geojson is not valid GeoJSON: %', true, 'route: GeoJSON that does not parse (the PostGIS error re-raised)'),
    ($$ tsi.intersections_in_polygon('{"type": "Polygon"}') $$, '22023',
     'polygon_geojson is not valid GeoJSON: %', true, 'polygon: GeoJSON that does not parse (the PostGIS error re-raised)'),
    ($$ tsi.intersections_in_polygon('{"type": "Polygon", "coordinates": [[[-77.25, 38.91], [-77.22, 38.91], [-77.22, 38.93]]]}') $$, '22023',
     'polygon_geojson is not a valid Polygon: %', true, 'polygon: an unclosed ring'),
    ($$ tsi.intersections_in_polygon('{"type": "Polygon", "coordinates":
            [[[-77.25, 38.91], [-77.22, 38.93], [-77.22, 38.91], [-77.25, 38.93], [-77.25, 38.91]]]}') $$, '22023',
     'polygon_geojson is not a valid Polygon: Self-intersection%', true, 'polygon: a self-intersecting polygon (ST_IsValidReason)');

SELECT throws_ok('SELECT * FROM ' || call, sqlstate, CASE WHEN NOT pattern THEN message END,
                 format('%s: refused, SQLSTATE %s', what, sqlstate))
FROM error_cases ORDER BY n;
SELECT throws_like('SELECT * FROM ' || call, message, format('%s: the message is like "%s"', what, message))
FROM error_cases WHERE pattern ORDER BY n;

SAVEPOINT no_intersections;
DELETE FROM tsi.intersections;
SELECT is_empty($$ SELECT * FROM tsi.intersections_near(38.918318, -77.230614, 50000) $$,
    'with no intersection at all, a valid search is empty');
SELECT throws_ok('SELECT * FROM ' || call, sqlstate, CASE WHEN NOT pattern THEN message END,
                 format('%s: refused, SQLSTATE %s, with no intersection at all', what, sqlstate))
FROM error_cases ORDER BY n;
SELECT throws_like('SELECT * FROM ' || call, message, format('%s: the message is like "%s", with no intersection at all', what, message))
FROM error_cases WHERE pattern ORDER BY n;
ROLLBACK TO SAVEPOINT no_intersections;

-- Prepared with a generic plan (as a driver may run them), the checks still run.
PREPARE near_q (float8, float8, float8) AS SELECT * FROM tsi.intersections_near($1, $2, $3);
PREPARE history_q (integer, timestamptz, timestamptz, text) AS SELECT * FROM tsi.intersection_history($1, $2, $3, $4);
SET LOCAL plan_cache_mode = force_generic_plan;
SELECT throws_ok($$ EXECUTE near_q(38.9, -77.23, 20) $$,
    '22023', 'radius_m must be between 100 and 50000 (got 20)', 'generic plan: near checks radius_m');
SELECT throws_ok($$ EXECUTE history_q(NULL, now() - interval '1 day', now(), NULL) $$,
    '22023', 'intersection_id must not be NULL', 'generic plan: history checks for NULL');
SELECT throws_ok($$ EXECUTE history_q(4242, now() - interval '1 day', now(), NULL) $$,
    'P0002', 'intersection_id 4242 does not exist', 'generic plan: history checks the intersection');
SELECT lives_ok($$ EXECUTE near_q(38.918318, -77.230614, 5000) $$, 'generic plan: near answers');
RESET plan_cache_mode;

-- The analyst ------------------------------------------------------------------------------

SET LOCAL ROLE analyst;
SELECT is((SELECT count(*) FROM tsi.latest_indices()), 6::bigint, 'analyst: latest_indices answers');
SELECT is((SELECT count(*) FROM tsi.intersection_history(156, pg_temp.t0(), pg_temp.t0() + interval '1 day')), 6::bigint,
          'analyst: intersection_history answers');
SELECT is((SELECT count(*) FROM tsi.intersections_near(38.918318, -77.230614)), 4::bigint, 'analyst: intersections_near answers');
SELECT is((SELECT count(*) FROM tsi.intersections_along_route('[[38.862981, -77.227696], [38.918318, -77.230614]]')), 3::bigint,
          'analyst: intersections_along_route answers');
SELECT is((SELECT count(*) FROM tsi.intersections_in_polygon('{"type": "Polygon", "coordinates":
           [[[-77.25, 38.91], [-77.22, 38.91], [-77.22, 38.93], [-77.25, 38.93], [-77.25, 38.91]]]}')), 3::bigint,
          'analyst: intersections_in_polygon answers');
SELECT throws_ok($$ SELECT * FROM tsi.intersections_near(38.9, -77.23, 20) $$,
    '22023', 'radius_m must be between 100 and 50000 (got 20)', 'analyst: gets the argument errors');
RESET ROLE;

SELECT is_empty('SELECT * FROM tsi.safety_indices_realtime_default', 'the default partition of the realtime table stays empty');

SELECT * FROM finish();
ROLLBACK;
