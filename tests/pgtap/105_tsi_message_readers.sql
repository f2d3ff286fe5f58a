-- The pure readers and checks that land_batch applies to every message, called directly:
-- safe JSON readers (a wrong type is NULL, never an error), epoch milliseconds, the first problem
-- of a BSM, PSM, MapData or SPaT message, and the argument helpers of the query functions.
BEGIN;
SELECT plan(46);

-- JSON readers ----------------------------------------------------------------------------------
SELECT is(tsi.json_number('12.5'), 12.5::float8, 'json_number reads a JSON number');
SELECT is(tsi.json_number('"12.5"'), NULL::float8, 'json_number: a JSON string is not a number (NULL, no error)');
SELECT is(tsi.json_number('null'), NULL::float8, 'json_number: JSON null is NULL');
SELECT is(tsi.json_number('1e300'), NULL::float8, 'json_number: an absurdly large number is NULL');
SELECT is(tsi.json_number('-1e-400'), 0::float8, 'json_number: a number too small for double precision is 0, not an error');
-- tsi.number_kept: the doubles the typed path may take as json_number would give them
SELECT ok(tsi.number_kept(12.5) AND tsi.number_kept(0) AND tsi.number_kept('-0') AND tsi.number_kept(NULL),
          'number_kept: an ordinary number, 0, -0 and NULL are kept as they are');
SELECT ok(NOT tsi.number_kept(1e-300) AND tsi.number_kept(1.0000001e-300),
          'number_kept: 1e-300 itself is not (a text just below it, which json_number makes 0, rounds to it)');
SELECT ok(NOT tsi.number_kept(1e15) AND tsi.number_kept(999999999999999.9) AND NOT tsi.number_kept(-1e16),
          'number_kept: magnitudes from 1e15 up are not (json_number drops them)');
SELECT is(tsi.json_integer('700295'), 700295::bigint, 'json_integer reads an integer');
SELECT is(tsi.json_integer('3.0'), 3::bigint, 'json_integer: 3.0 is the integer 3');
SELECT is(tsi.json_integer('3.5'), NULL::bigint, 'json_integer: a fraction is NULL');
SELECT is(tsi.json_integer('[1]'), NULL::bigint, 'json_integer: an array is NULL');
SELECT is(tsi.json_int4('2147483647'), 2147483647, 'json_int4 reads the largest integer');
SELECT is(tsi.json_int4('2147483648'), NULL::integer, 'json_int4: beyond the integer range is NULL, not an error');
SELECT is(tsi.epoch_ms_to_timestamptz(1763557684123), '2025-11-19 13:08:04.123+00'::timestamptz,
          'epoch_ms_to_timestamptz: VCC timestamps are epoch milliseconds, kept to the millisecond');

-- Message checks ---------------------------------------------------------------------------------
CREATE TEMP TABLE msg AS
SELECT '{"timestamp": 1763557684000, "rsuName": "x", "bsmJson": {"coreData": {"msgCnt": 17, "id": 700295,
         "secMark": 4120, "lat": 38.871663, "lon": -77.263105, "speed": 11.58, "accelSet": {"lon": -0.4}}}}'::jsonb AS bsm,
       '{"timestamp": 1763557684000, "psmJson": {"basicType": 1, "id": 9001, "msgCnt": 3, "secMark": 4120,
         "position": {"lat": 38.871663, "lon": -77.263105}, "speed": 1.4}}'::jsonb AS psm,
       timestamptz '2025-11-19 13:08:05+00' AS received;

SELECT is(tsi.check_bsm(bsm, received), NULL::tsi.rejection, 'check_bsm: the reference''s example BSM is valid') FROM msg;
SELECT is((tsi.check_bsm(jsonb_set(bsm, '{bsmJson,coreData,speed}', '163.82'), received)).reason, 'invalid_speed',
          'check_bsm: the speed sentinel 163.82 is invalid_speed') FROM msg;
SELECT is((tsi.check_bsm('[1, 2]', received)).detail, 'a BSM must be a JSON object (BsmWithMetadata), got array',
          'check_bsm: a message that is not an object says what it is') FROM msg;
SELECT is((SELECT (r.problem, r.speed, r.elevation)::text
           FROM tsi.read_v2x('bsm', jsonb_set(jsonb_set(bsm, '{bsmJson,coreData,speed}', '1e-400'),
                                              '{bsmJson,coreData,elev}', '-1e-400'), received) AS r),
          '(,0,0)', 'read_v2x: numbers too small for double precision are 0 (the message is valid, nothing raises)') FROM msg;
SELECT is((tsi.check_bsm(jsonb_set(bsm, '{timestamp}', '1763557684'), received)).reason, 'invalid_timestamp',
          'check_bsm: epoch seconds instead of milliseconds is invalid_timestamp') FROM msg;
SELECT is((tsi.check_bsm(bsm, received - interval '2 hours')).reason, 'timestamp_in_future',
          'check_bsm: a message more than an hour after its receipt is timestamp_in_future') FROM msg;
SELECT is((tsi.check_bsm(jsonb_set(jsonb_set(bsm, '{bsmJson,coreData,lat}', '0'), '{bsmJson,coreData,lon}', '0'),
                         received)).reason, 'invalid_coordinates',
          'check_bsm: position 0, 0 is invalid_coordinates') FROM msg;
SELECT is(tsi.check_psm(psm, received), NULL::tsi.rejection, 'check_psm: a pedestrian PSM is valid') FROM msg;
SELECT is((tsi.check_psm(jsonb_set(psm, '{psmJson,basicType}', '7'), received)).reason, 'invalid_basic_type',
          'check_psm: basicType 7 is invalid_basic_type') FROM msg;
SELECT is((tsi.check_psm(psm - 'psmJson', received)).reason, 'invalid_structure',
          'check_psm: a PSM without psmJson is invalid_structure') FROM msg;
SELECT is((SELECT (r.ts, r.object_id, r.msg_cnt, r.sec_mark, r.latitude, r.longitude, r.speed, r.accel_lon, r.rsu_name)::text
            FROM tsi.read_v2x('bsm', bsm, received) AS r),
          ('2025-11-19 13:08:04+00'::timestamptz, 700295, 17, 4120, 38.871663, -77.263105, 11.58, -0.4, 'x')::text,
          'read_v2x: the typed fields of the reference''s example BSM') FROM msg;
SELECT is((SELECT (r.problem, r.elevation, r.heading, r.vehicle_length, r.wheel_brakes)::text
           FROM tsi.read_v2x('bsm', jsonb_set(jsonb_set(jsonb_set(bsm, '{bsmJson,coreData,elev}', '"high"'),
                                                        '{bsmJson,coreData,size}', '{"length": 1e12}'),
                                              '{bsmJson,coreData,brakes}', '{"wheelBrakes": 2.5}'), received) AS r),
          '(,,,,)', 'read_v2x: optional fields of a wrong type or out of range are NULL, the message stays valid') FROM msg;
SELECT is((SELECT (r.object_id, r.msg_cnt, r.basic_type, r.latitude, r.speed)::text FROM tsi.read_v2x('psm', jsonb_set(psm, '{psmJson,msgCnt}', '3.0'), received) AS r),
          '(9001,3,1,38.871663,1.4)', 'read_v2x: a PSM''s fields, its position from psmJson.position (3.0 is the integer 3)') FROM msg;
SELECT is((SELECT (r.problem).reason FROM tsi.read_v2x('bsm', jsonb_set(bsm, '{bsmJson,coreData,id}', '"700295"'), received) AS r),
          'missing_id', 'read_v2x: an id given as a string is missing_id') FROM msg;
SELECT is((SELECT (r.problem).reason || ': ' || (r.problem).detail FROM tsi.read_v2x('bsm', jsonb_set(bsm, '{bsmJson,coreData}', '[1]'), received) AS r),
          'invalid_structure: bsmJson.coreData body is missing or not an object',
          'read_v2x: a coreData that is not an object is invalid_structure, not an error') FROM msg;
SELECT is((SELECT (r.problem).reason FROM tsi.read_v2x('tim', bsm, received) AS r),
          'unknown_type', 'read_v2x: another msg_type is unknown_type') FROM msg;
SELECT is((SELECT r.ts FROM tsi.read_v2x('bsm', jsonb_set(bsm, '{bsmJson,coreData,speed}', '163.82'), received) AS r),
          NULL::timestamptz, 'read_v2x: a message with a problem has no fields') FROM msg;
SELECT is(tsi.check_mapdata('{"intersections": [{"id": {"region": 0, "id": 156}, "refPoint": {"lat": 38.928411, "lon": -77.241071}}]}'),
          NULL::tsi.rejection, 'check_mapdata: an intersection with id and reference point is valid');
SELECT is((tsi.check_mapdata('{"intersections": [{"id": {"id": 70000}, "refPoint": {"lat": 38.9, "lon": -77.2}}]}')).reason,
          'invalid_mapdata', 'check_mapdata: an id above 65535 is invalid_mapdata');
SELECT is(tsi.check_spat('{"intersections": [{"id": {"id": 156}, "moy": 1000, "timeStamp": 500, "states": []}]}'),
          NULL::tsi.rejection, 'check_spat: an intersection with id and states is valid');
SELECT is((tsi.check_spat('{"intersections": [{"id": {"id": 156}}]}')).reason, 'invalid_spat',
          'check_spat: an intersection without states is invalid_spat');

-- Query-function helpers -------------------------------------------------------------------------
SELECT is(tsi.range_problem('radius_m', 20, 100, 50000), 'radius_m must be between 100 and 50000 (got 20)',
          'range_problem names the argument, its range and the value');
SELECT is(tsi.range_problem('radius_m', 100, 100, 50000), NULL, 'range_problem: a value at the bound is fine');
SELECT throws_ok($$ SELECT tsi.check_argument('latitude must not be NULL') $$, '22023', 'latitude must not be NULL',
                 'check_argument raises the problem as invalid_parameter_value (HTTP 400 through PostgREST)');
SELECT is(tsi.partition_name('tsi.bsm_messages', '2026-12-01'), 'bsm_messages_20261201',
          'partition_name: <table>_YYYYMMDD');

SELECT is(tsi.jsonb_argument('"[[38.86,-77.23],[38.93,-77.24]]"', 'waypoints'), '[[38.86,-77.23],[38.93,-77.24]]'::jsonb,
          'jsonb_argument parses the JSON text PostgREST passes from a query string');
SELECT is(tsi.jsonb_argument('{"type": "LineString"}', 'route_geojson'), '{"type": "LineString"}'::jsonb,
          'jsonb_argument passes a JSON body through unchanged');
SELECT throws_ok($$ SELECT tsi.jsonb_argument('"[[38.86,"', 'waypoints') $$, '22023', NULL,
                 'jsonb_argument: text that is not JSON is invalid_parameter_value');
SELECT throws_ok($$ SELECT tsi.geojson_geometry(NULL, 'polygon_geojson', ARRAY['Polygon']) $$, '22023',
                 'polygon_geojson must not be NULL', 'geojson_geometry names the missing argument');
SELECT ok(tsi.partition_droppable('tsi.bsm_messages', '2026-01-01', interval '1 day', 'age', '2026-01-05'),
          'partition_droppable (age): a day whose end is older than the kept period may go');
SELECT ok(NOT tsi.partition_droppable('tsi.bsm_messages', '2026-01-01', interval '1 day', 'age', '2026-01-02 12:00+00'),
          'partition_droppable (age): a day within the kept period stays');

SELECT * FROM finish();
ROLLBACK;
