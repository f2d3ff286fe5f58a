-- One definition of "the latest index of an intersection" (tsi/latest_indices): every endpoint
-- that shows it gives the same numbers for the same minute, as the definition does. Raw and
-- Empirical-Bayes values differ in every column of the data, so a reader serving raw values
-- where the others serve EB (or the reverse) fails here.
BEGIN;
SELECT plan(12);

SET LOCAL TimeZone = 'UTC';

CREATE FUNCTION pg_temp.t0() RETURNS timestamptz LANGUAGE sql STABLE
AS $$ SELECT date_trunc('day', now(), 'UTC') - interval '1 day' + interval '9 hours' $$;
INSERT INTO tsi.intersections (id, name, latitude, longitude) VALUES
    (7101, 'Latest pgTAP 1', 20.000, 20.000),
    (7102, 'Latest pgTAP 2', 20.005, 20.000),
    (7103, 'Latest pgTAP no data', 20.010, 20.000);
-- 7101's newest minute is t0 + 2 min, 7102's t0 + 1 min (behind the network); raw <> EB everywhere.
INSERT INTO tsi.safety_indices_realtime
    (intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb,
     vehicle_index, vehicle_index_eb, traffic_volume, hour_of_day, day_of_week, formula_version)
VALUES (7101, pg_temp.t0(), 50, 45, 40, 35, 60, 55, 10, 4, 0, 1),
       (7101, pg_temp.t0() + interval '1 minute', 52, 47, 41, 36, 61, 56, 11, 4, 0, 1),
       (7101, pg_temp.t0() + interval '2 minutes', 81, 77, 70, 66, 90, 86, 12, 4, 0, 1),
       (7102, pg_temp.t0(), 30, 33, 20, 24, 35, 38, 3, 4, 0, 1),
       (7102, pg_temp.t0() + interval '1 minute', 66, 63, 61, 57, 71, 67, 5, 4, 0, 1);
CALL tsi.refresh_current_status();

-- The definition, for these intersections
CREATE TEMP TABLE want AS
SELECT intersection_id, safety_index, combined_index, vru_index, vehicle_index, traffic_volume, risk_band, last_updated
FROM tsi.latest_indices() WHERE intersection_id BETWEEN 7101 AND 7103;
GRANT SELECT ON want TO web_anon;

SELECT results_eq(
    $$SELECT intersection_id, safety_index, combined_index, vru_index, vehicle_index, traffic_volume, risk_band, last_updated
      FROM want ORDER BY 1$$,
    $$VALUES (7101, 77::float8, 81::float8, 66::float8, 86::float8, 12, 'high', pg_temp.t0() + interval '2 minutes'),
             (7102, 63::float8, 66::float8, 57::float8, 67::float8, 5, 'medium', pg_temp.t0() + interval '1 minute'),
             (7103, NULL, NULL, NULL, NULL, NULL, NULL, NULL)$$,
    'tsi.latest_indices: the newest minute of each, safety/vru/vehicle EB, combined raw, risk band of the EB value');
SELECT results_eq(
    $$SELECT intersection_id, safety_index, combined_index, vru_index, vehicle_index, traffic_volume, risk_band, last_updated
      FROM tsi.mv_current_safety_status WHERE intersection_id BETWEEN 7101 AND 7103 ORDER BY 1$$,
    $$SELECT * FROM want ORDER BY 1$$,
    'the current-status snapshot holds the definition''s rows');

SET LOCAL ROLE web_anon;

SELECT results_eq(
    $$SELECT intersection_id, safety_index, combined_index, vru_index, vehicle_index, traffic_volume, risk_band, last_updated
      FROM api.latest_indices WHERE intersection_id BETWEEN 7101 AND 7103 ORDER BY 1$$,
    $$SELECT * FROM want ORDER BY 1$$,
    '/latest_indices gives the definition''s numbers (EB vru_index and vehicle_index, not raw)');
SELECT results_eq(
    $$SELECT intersection_id, safety_index, traffic_volume FROM api.legacy_safety_index() WHERE intersection_id BETWEEN 7101 AND 7103$$,
    $$SELECT intersection_id, safety_index, traffic_volume FROM want WHERE safety_index IS NOT NULL ORDER BY 1$$,
    'legacy /api/v1/safety/index/ gives the same numbers (of the intersections with an index)');
SELECT results_eq(
    $$SELECT (j->>'intersection_id')::integer, (j->>'safety_index')::float8, (j->>'traffic_volume')::integer
      FROM (VALUES (api.legacy_safety_index_one('7101')), (api.legacy_safety_index_one('7102'))) v (j)$$,
    $$SELECT intersection_id, safety_index, traffic_volume FROM want WHERE intersection_id < 7103 ORDER BY 1$$,
    'legacy /api/v1/safety/index/{id} gives the same numbers');
SELECT results_eq(
    $$SELECT id, safety_index, risk_band, traffic_volume, last_updated FROM api.intersections_near(20.005, 20.0, 2000)$$,
    $$SELECT intersection_id, safety_index, risk_band, traffic_volume, last_updated FROM want ORDER BY intersection_id = 7102 DESC, intersection_id$$,
    '/rpc/intersections_near gives the same numbers');
SELECT results_eq(
    $$SELECT id, safety_index, risk_band, traffic_volume, last_updated
      FROM api.intersections_along_route('[[20.0, 20.0], [20.01, 20.0]]'::jsonb, NULL, 10) ORDER BY id$$,
    $$SELECT intersection_id, safety_index, risk_band, traffic_volume, last_updated FROM want ORDER BY 1$$,
    '/rpc/intersections_along_route gives the same numbers');
SELECT results_eq(
    $$SELECT id, safety_index, risk_band, traffic_volume, last_updated
      FROM api.intersections_in_polygon('{"type":"Polygon","coordinates":[[[19.99,19.99],[20.01,19.99],[20.01,20.02],[19.99,20.02],[19.99,19.99]]]}'::jsonb)$$,
    $$SELECT intersection_id, safety_index, risk_band, traffic_volume, last_updated FROM want ORDER BY 1$$,
    '/rpc/intersections_in_polygon gives the same numbers');
SELECT results_eq(
    $$SELECT 7101, h.safety_index, h.vru_index, h.vehicle_index, h.traffic_volume::integer, h."timestamp"
      FROM api.intersection_history(7101, pg_temp.t0(), pg_temp.t0() + interval '1 hour') h ORDER BY h."timestamp" DESC LIMIT 1$$,
    $$SELECT intersection_id, safety_index, vru_index, vehicle_index, traffic_volume, last_updated FROM want WHERE intersection_id = 7101$$,
    '/rpc/intersection_history: its newest minute has the same numbers');
SELECT results_eq(
    $$SELECT 7102, (p->>'safety_index')::float8, (p->>'vru_index')::float8, (p->>'vehicle_index')::float8, (p->>'traffic_volume')::integer
      FROM json_array_elements(api.legacy_safety_history('7102', days => '1', aggregation => 'minute')->'data_points') p
      ORDER BY (p->>'timestamp')::timestamptz DESC LIMIT 1$$,
    $$SELECT intersection_id, safety_index, vru_index, vehicle_index, traffic_volume FROM want WHERE intersection_id = 7102$$,
    'legacy /api/v1/safety/history/{id}: its newest minute has the same numbers');

RESET ROLE;

-- A newer minute reaches every reader with the next refresh, not before: they stay in step.
INSERT INTO tsi.safety_indices_realtime
    (intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb,
     vehicle_index, vehicle_index_eb, traffic_volume, hour_of_day, day_of_week, formula_version)
VALUES (7102, pg_temp.t0() + interval '3 minutes', 10, 12, 10, 11, 10, 13, 2, 4, 0, 1);
SELECT results_eq(
    $$SELECT s.safety_index, n.safety_index FROM api.latest_indices s
      JOIN api.intersections_near(20.005, 20.0, 100) n ON n.id = s.intersection_id WHERE s.intersection_id = 7102$$,
    $$VALUES (63::float8, 63::float8)$$,
    'before the refresh, /latest_indices and the spatial searches both show the snapshot''s minute');
CALL tsi.refresh_current_status();
SELECT results_eq(
    $$SELECT s.safety_index, n.safety_index, l.safety_index FROM api.latest_indices s
      JOIN api.intersections_near(20.005, 20.0, 100) n ON n.id = s.intersection_id
      JOIN tsi.latest_indices() l ON l.intersection_id = s.intersection_id WHERE s.intersection_id = 7102$$,
    $$VALUES (12::float8, 12::float8, 12::float8)$$,
    'after it, all show the new minute');

SELECT * FROM finish();
ROLLBACK;
