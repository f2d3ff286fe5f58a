-- Deploy trafficsafety:tsi/features to pg
-- 1-minute features per intersection (reference §2), the input of the rolling-window indices
-- and of the normalisation constants (30 trailing days, so kept longer than the indices).
-- Speeds are kept as count, sum and sum of squares so a window's mean and standard
-- deviation over all its messages are exact.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.features_minute (
    intersection_id     integer NOT NULL REFERENCES tsi.intersections (id) ON DELETE CASCADE,
    minute              timestamptz NOT NULL CHECK ((minute AT TIME ZONE 'UTC') = date_trunc('minute', minute AT TIME ZONE 'UTC')),
    bsm_count           integer NOT NULL CHECK (bsm_count >= 0),
    psm_count           integer NOT NULL CHECK (psm_count >= 0),
    traffic_volume      integer NOT NULL CHECK (traffic_volume >= 0),
    vru_count           integer NOT NULL CHECK (vru_count >= 0),
    speed_n             integer NOT NULL CHECK (speed_n >= 0),
    speed_sum           double precision NOT NULL,
    speed_sum_sq        double precision NOT NULL,
    hard_braking_count  integer NOT NULL CHECK (hard_braking_count >= 0),
    vru_event_count     integer NOT NULL CHECK (vru_event_count >= 0),
    vehicle_event_count integer NOT NULL CHECK (vehicle_event_count >= 0),
    PRIMARY KEY (intersection_id, minute)
) PARTITION BY RANGE (minute);

COMMENT ON TABLE tsi.features_minute IS
    '1-minute features per intersection (reference §2), computed from the raw messages assigned to it. Kept for the normalisation period (31 days).';
COMMENT ON COLUMN tsi.features_minute.minute IS 'Start of the minute (UTC), by message time.';
COMMENT ON COLUMN tsi.features_minute.bsm_count IS 'Vehicle messages (BSM) in the minute.';
COMMENT ON COLUMN tsi.features_minute.psm_count IS 'Pedestrian/cyclist messages (PSM) in the minute.';
COMMENT ON COLUMN tsi.features_minute.traffic_volume IS 'V: distinct vehicle ids.';
COMMENT ON COLUMN tsi.features_minute.vru_count IS 'Distinct PSM ids.';
COMMENT ON COLUMN tsi.features_minute.speed_n IS 'Vehicle messages with a speed.';
COMMENT ON COLUMN tsi.features_minute.speed_sum IS 'Sum of their speeds, m/s.';
COMMENT ON COLUMN tsi.features_minute.speed_sum_sq IS 'Sum of their squared speeds, (m/s)².';
COMMENT ON COLUMN tsi.features_minute.hard_braking_count IS 'HB: distinct vehicles with accelSet.lon at or below the hard-braking threshold.';
COMMENT ON COLUMN tsi.features_minute.vru_event_count IS 'I_VRU: distinct (VRU, vehicle) pairs closer than the conflict distance within the conflict time; a pair counts in the minute of its later message.';
COMMENT ON COLUMN tsi.features_minute.vehicle_event_count IS 'I_veh: distinct unordered vehicle pairs closer than the conflict distance within the conflict time with a speed difference above the threshold.';

CREATE TABLE tsi.features_minute_default PARTITION OF tsi.features_minute DEFAULT;
COMMENT ON TABLE tsi.features_minute_default IS 'Catches rows outside every daily partition: must stay empty.';

INSERT INTO tsi.partition_policy (parent, keep, drop_rule)
VALUES ('tsi.features_minute', interval '31 days', 'age');
DO $$ BEGIN PERFORM tsi.create_daily_partitions('tsi.features_minute', current_date - 2, current_date + 7); END $$;

COMMIT;
