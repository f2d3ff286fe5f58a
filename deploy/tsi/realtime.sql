-- Deploy trafficsafety:tsi/realtime to pg
-- Design document §3.1 safety_indices_realtime, range-partitioned by UTC day. Improvements:
-- the key is (intersection_id, timestamp), so every write is an idempotent upsert (trap 6);
-- the row records the formula version and constants it was scored with.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.safety_indices_realtime (
    id                  bigserial,
    intersection_id     integer NOT NULL REFERENCES tsi.intersections (id) ON DELETE CASCADE,
    timestamp           timestamptz NOT NULL,
    combined_index      double precision NOT NULL CHECK (combined_index BETWEEN 0 AND 100),
    combined_index_eb   double precision CHECK (combined_index_eb BETWEEN 0 AND 100),
    vru_index           double precision CHECK (vru_index BETWEEN 0 AND 100),
    vru_index_eb        double precision CHECK (vru_index_eb BETWEEN 0 AND 100),
    vehicle_index       double precision CHECK (vehicle_index BETWEEN 0 AND 100),
    vehicle_index_eb    double precision CHECK (vehicle_index_eb BETWEEN 0 AND 100),
    traffic_index       double precision CHECK (traffic_index BETWEEN 0 AND 100),
    traffic_volume      integer NOT NULL CHECK (traffic_volume >= 0),
    vru_count           integer NOT NULL DEFAULT 0 CHECK (vru_count >= 0),
    vehicle_event_count integer NOT NULL DEFAULT 0 CHECK (vehicle_event_count >= 0),
    vru_event_count     integer NOT NULL DEFAULT 0 CHECK (vru_event_count >= 0),
    hard_braking_count  integer NOT NULL DEFAULT 0 CHECK (hard_braking_count >= 0),
    avg_speed           double precision CHECK (avg_speed >= 0),
    window_volume       integer NOT NULL DEFAULT 0 CHECK (window_volume >= 0),
    hour_of_day         integer NOT NULL CHECK (hour_of_day BETWEEN 0 AND 23),
    day_of_week         integer NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    formula_version     integer NOT NULL REFERENCES tsi.formula_config (formula_version),
    constants_id        integer REFERENCES tsi.normalization_constants (id),
    PRIMARY KEY (intersection_id, timestamp)
) PARTITION BY RANGE (timestamp);

COMMENT ON TABLE tsi.safety_indices_realtime IS
    'Safety indices per intersection and minute (0–100, higher = riskier), over the rolling window of 1-minute features ending with that minute. Kept 48 hours; daily partitions.';
COMMENT ON COLUMN tsi.safety_indices_realtime.id IS 'Surrogate id kept from the design document; the key is (intersection_id, timestamp).';
COMMENT ON COLUMN tsi.safety_indices_realtime.timestamp IS 'Start of the minute (UTC); the window covers this minute and the window_minutes − 1 before it.';
COMMENT ON COLUMN tsi.safety_indices_realtime.combined_index IS 'Combined index = (1 − w)·traffic + w·weather; equals traffic_index while there is no weather feed.';
COMMENT ON COLUMN tsi.safety_indices_realtime.combined_index_eb IS 'Combined index after the Empirical-Bayes adjustment toward the intersection''s baseline for the local hour.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vru_index IS 'Vulnerable-road-user index.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vru_index_eb IS 'VRU index after the Empirical-Bayes adjustment.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vehicle_index IS 'Vehicle–vehicle index.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vehicle_index_eb IS 'Vehicle index after the Empirical-Bayes adjustment.';
COMMENT ON COLUMN tsi.safety_indices_realtime.traffic_index IS 'Traffic index = 0.6·VRU + 0.4·vehicle (weights per formula version).';
COMMENT ON COLUMN tsi.safety_indices_realtime.traffic_volume IS 'Distinct vehicles in this minute.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vru_count IS 'Distinct pedestrians and cyclists (PSM ids) in this minute.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vehicle_event_count IS 'Vehicle pairs closer than 10 m within 5 s with speed difference > 5 m/s, in this minute.';
COMMENT ON COLUMN tsi.safety_indices_realtime.vru_event_count IS '(VRU, vehicle) pairs closer than 10 m within 5 s, in this minute.';
COMMENT ON COLUMN tsi.safety_indices_realtime.hard_braking_count IS 'Distinct vehicles braking at or below −3.4 m/s² in this minute.';
COMMENT ON COLUMN tsi.safety_indices_realtime.avg_speed IS 'Mean vehicle speed in this minute, m/s.';
COMMENT ON COLUMN tsi.safety_indices_realtime.window_volume IS 'Vehicles summed over the window (the N − 1 of the Empirical-Bayes weight).';
COMMENT ON COLUMN tsi.safety_indices_realtime.hour_of_day IS 'Hour of day 0–23 in the intersection''s local time zone.';
COMMENT ON COLUMN tsi.safety_indices_realtime.day_of_week IS 'Day of week in local time: 0 = Monday … 6 = Sunday.';
COMMENT ON COLUMN tsi.safety_indices_realtime.formula_version IS 'tsi.formula_config version the row was computed with.';
COMMENT ON COLUMN tsi.safety_indices_realtime.constants_id IS 'tsi.normalization_constants row the row was scored with.';

CREATE INDEX idx_sir_timestamp ON tsi.safety_indices_realtime (timestamp DESC);
CREATE INDEX idx_sir_combined_eb ON tsi.safety_indices_realtime (combined_index_eb);

CREATE TABLE tsi.safety_indices_realtime_default PARTITION OF tsi.safety_indices_realtime DEFAULT;
COMMENT ON TABLE tsi.safety_indices_realtime_default IS 'Catches rows outside every daily partition: must stay empty (tsi.health reports rows here).';

INSERT INTO tsi.partition_policy (parent, keep, drop_rule)
VALUES ('tsi.safety_indices_realtime', interval '48 hours', 'rolled_up');
DO $$ BEGIN PERFORM tsi.create_daily_partitions('tsi.safety_indices_realtime', current_date - 2, current_date + 7); END $$;

COMMIT;
