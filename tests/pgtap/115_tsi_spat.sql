-- SPaT lands once per (time, intersection); bad SPaT is quarantined.
BEGIN;
SELECT plan(6);

INSERT INTO tsi.message_staging (batch_id, msg_type, received_at, payload) VALUES
    ('00000000-0000-0000-0000-00000000a001', 'spat', '2026-11-02 16:00:05+00',
     '{"intersections": [{"id": {"region": 0, "id": 156}, "revision": 3, "moy": 440160, "timeStamp": 4500,
       "states": [{"signalGroup": 2, "stateTimeSpeed": [{"eventState": 3, "timing": {"minEndTimeStamp": 36001}}]}]}]}'),
    ('00000000-0000-0000-0000-00000000a001', 'spat', '2026-11-02 16:00:06+00',
     '{"intersections": [{"id": {"region": 0, "id": 156}, "revision": 3, "moy": 440160, "timeStamp": 4500,
       "states": [{"signalGroup": 2, "stateTimeSpeed": [{"eventState": 3}]}]}]}'),
    ('00000000-0000-0000-0000-00000000a001', 'spat', '2026-11-02 16:00:06+00', '{"intersections": [{"id": {"id": 156}}]}');

SELECT results_eq(
    $$ CALL tsi.land_batch('00000000-0000-0000-0000-00000000a001') $$,
    $$ VALUES (3, 2, 0, 1, 0) $$,
    'valid SPaT messages count as landed, an invalid one is quarantined');
SELECT is((SELECT count(*)::integer FROM tsi.spat_messages), 1, 'the same state delivered twice is stored once');
SELECT is((SELECT spat_time FROM tsi.spat_messages), timestamptz '2026-11-02 16:00:04.5+00',
          'the time is minute of the year 440160 of 2026 plus 4.5 s');
SELECT is((SELECT states -> 0 ->> 'signalGroup' FROM tsi.spat_messages), '2', 'the signal states are kept');
SELECT is((SELECT reason FROM tsi.quarantine WHERE msg_type = 'spat'), 'invalid_spat', 'a SPaT without states is quarantined');
SELECT is(tsi.spat_time(525000, 0, '2027-01-01 00:00:30+00'), timestamptz '2026-12-31 14:00:00+00',
          'a state from the end of the year received just after New Year keeps its year');

SELECT * FROM finish();
ROLLBACK;
