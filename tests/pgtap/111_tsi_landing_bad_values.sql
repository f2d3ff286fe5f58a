-- Bad input never breaks landing: every value of a valid BSM, PSM, MapData and SPaT message, one
-- at a time, replaced by an awkward JSON value (wrong type, out of range, too small or too large
-- for the column, very long) or removed, and the whole message replaced too. Landed as one batch,
-- tsi.land_batch raises nothing and accounts for every message (landed, duplicate or quarantined);
-- whatever landed is within the ranges the readers promise.
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE template (kind text, doc jsonb);
INSERT INTO template VALUES
    ('bsm', '{"timestamp": 1794312000000, "rsuName": "bad-values", "format": "JSON",
              "bsmJson": {"coreData": {"id": 710001, "msgCnt": 5, "secMark": 1200, "lat": 38.9101, "lon": -77.2202,
                                       "elev": 110.5, "speed": 11.5, "heading": 90.0,
                                       "accelSet": {"lon": -0.4, "lat": 0.1, "vert": 0, "yaw": 0},
                                       "brakes": {"wheelBrakes": 0}, "size": {"length": 480, "width": 190}}}}'),
    ('psm', '{"timestamp": 1794312000500, "rsuName": "bad-values",
              "psmJson": {"basicType": 1, "id": 9101, "msgCnt": 3, "secMark": 1700,
                          "position": {"lat": 38.9102, "lon": -77.2201, "elev": 110.0}, "speed": 1.4, "heading": 180}}'),
    ('mapdata', '{"timestamp": 1794312000000,
                  "intersections": [{"id": {"region": 0, "id": 4711}, "name": "Bad Values Rd", "revision": 3,
                                     "refPoint": {"lat": 38.9100, "lon": -77.2200, "elevation": 110.5},
                                     "laneWidth": 3.66, "speedLimits": [{"type": "vehicleMaxSpeed", "speed": 15.6}],
                                     "laneSet": [{"laneID": 1}, {"laneID": 2}]}]}'),
    ('spat', '{"intersections": [{"id": {"region": 0, "id": 4711}, "revision": 3, "moy": 451440, "timeStamp": 500,
               "states": [{"signalGroup": 2, "stateTimeSpeed": [{"eventState": 3}]}]}]}');

-- Every node of every template: its path, the root too.
CREATE TEMP TABLE node AS
WITH RECURSIVE n (kind, doc, path, v) AS (
    SELECT kind, doc, ARRAY[]::text[], doc FROM template
    UNION ALL
    SELECT n.kind, n.doc, n.path || e.key, e.value
    FROM n
    CROSS JOIN LATERAL (
        SELECT o.key, o.value FROM jsonb_each(CASE WHEN jsonb_typeof(n.v) = 'object' THEN n.v END) AS o
        UNION ALL
        SELECT (a.ord - 1)::text, a.value
        FROM jsonb_array_elements(CASE WHEN jsonb_typeof(n.v) = 'array' THEN n.v END) WITH ORDINALITY AS a (value, ord)
    ) AS e
)
SELECT kind, doc, path FROM n;

CREATE TEMP TABLE awkward (v jsonb);
INSERT INTO awkward VALUES
    ('null'), ('true'), ('"x"'), ('""'), ('"12.5"'), ('[]'), ('{}'), ('[1, 2]'), ('{"a": 1}'),
    ('0'), ('-1'), ('0.5'), ('-0.0'), ('1e-400'), ('-1e-400'), ('1e300'), ('-1e300'), ('1e-300'),
    ('127.0000001'), ('2147483648'), ('-2147483649'), ('9223372036854775808'), ('123456789012345678901234567890'),
    ('"é😀"'), (to_jsonb(repeat('x', 20000))), ('[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]');

CREATE TEMP TABLE mutated AS
SELECT n.kind, CASE WHEN n.path = '{}' THEN a.v ELSE jsonb_set(n.doc, n.path, a.v) END AS payload
FROM node AS n CROSS JOIN awkward AS a
UNION ALL
SELECT kind, doc #- path FROM node WHERE path <> '{}'
UNION ALL
SELECT kind, doc FROM template;  -- and each template as it is: valid

INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload)
SELECT '00000000-0000-0000-0000-00000000b111', kind, '2026-11-15 12:00:01+00', payload FROM mutated;

SELECT cmp_ok((SELECT count(*) FROM mutated), '>', 2000::bigint, 'over 2 000 awkward messages are staged');

CREATE TEMP TABLE result (received integer, landed integer, duplicates integer, quarantined integer, unassigned integer);
SELECT lives_ok($$
    DO $do$
    DECLARE r integer; l integer; d integer; q integer; u integer;
    BEGIN
        CALL tsi.land_batch('00000000-0000-0000-0000-00000000b111', r, l, d, q, u);
        INSERT INTO result VALUES (r, l, d, q, u);
    END
    $do$ $$, 'tsi.land_batch raises nothing for the batch of awkward messages');
SELECT is((SELECT received FROM result), (SELECT count(*)::integer FROM mutated),
          'it received every awkward message');
SELECT is((SELECT landed + duplicates + quarantined FROM result), (SELECT received FROM result),
          'every message is landed, a duplicate or quarantined');
SELECT is_empty($$
    SELECT vehicle_id FROM tsi.bsm_messages WHERE rsu_name = 'bad-values'
       AND NOT (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180 AND coalesce(speed BETWEEN 0 AND 163.8, true)
                AND msg_cnt BETWEEN 0 AND 127 AND sec_mark BETWEEN 0 AND 65535)
    UNION ALL
    SELECT psm_id FROM tsi.psm_messages WHERE rsu_name = 'bad-values'
       AND NOT (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180 AND basic_type BETWEEN 0 AND 4)
    $$, 'what landed is within the ranges the readers promise');
SELECT is_empty($$ SELECT reason FROM tsi.quarantine WHERE batch_id = '00000000-0000-0000-0000-00000000b111'
                   AND (reason IS NULL OR detail IS NULL OR payload IS NULL) $$,
                'every quarantined message has its reason, detail and payload');

SELECT * FROM finish();
ROLLBACK;
