-- Deploy trafficsafety:tsi/raw_messages to pg
-- Landed V2X messages, one typed row per accepted message, daily partitions by message
-- second. The primary key is the reference's de-duplication key (temporary id, msgCnt,
-- secMark, receipt second), so a message delivered twice (stream and poll, or a retried
-- batch) lands once. No foreign key to intersections: assignment is done by the landing
-- procedure, and a key check per message would cost the ingest rate.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.bsm_messages (
    ts_second        timestamptz NOT NULL,
    vehicle_id       bigint NOT NULL,
    msg_cnt          smallint NOT NULL CHECK (msg_cnt BETWEEN 0 AND 127),
    sec_mark         integer NOT NULL CHECK (sec_mark BETWEEN 0 AND 65535),
    ts               timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    intersection_id  integer,
    latitude         double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude        double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    elevation        double precision,
    speed            double precision CHECK (speed BETWEEN 0 AND 163.8),
    heading          double precision,
    accel_lon        double precision,
    accel_lat        double precision,
    wheel_brakes     integer,
    vehicle_length   integer,
    vehicle_width    integer,
    rsu_name         text,
    PRIMARY KEY (ts_second, vehicle_id, msg_cnt, sec_mark)
) PARTITION BY RANGE (ts_second);

COMMENT ON TABLE tsi.bsm_messages IS 'Landed Basic Safety Messages (vehicles), de-duplicated; kept while processing needs them.';
COMMENT ON COLUMN tsi.bsm_messages.ts_second IS 'VCC receipt time truncated to the second: part of the de-duplication key and the partition key.';
COMMENT ON COLUMN tsi.bsm_messages.vehicle_id IS 'coreData.id: temporary vehicle id (rotates over time).';
COMMENT ON COLUMN tsi.bsm_messages.msg_cnt IS 'coreData.msgCnt, 0–127, wraps.';
COMMENT ON COLUMN tsi.bsm_messages.sec_mark IS 'coreData.secMark: milliseconds within the minute, 65535 = unavailable.';
COMMENT ON COLUMN tsi.bsm_messages.ts IS 'VCC timestamp (epoch milliseconds, when the VCC cloud received the message): the message time features are binned by.';
COMMENT ON COLUMN tsi.bsm_messages.received_at IS 'When the collector received the message.';
COMMENT ON COLUMN tsi.bsm_messages.intersection_id IS 'Nearest intersection within the assignment radius; NULL: near none.';
COMMENT ON COLUMN tsi.bsm_messages.speed IS 'coreData.speed, m/s (NULL: unavailable).';
COMMENT ON COLUMN tsi.bsm_messages.accel_lon IS 'coreData.accelSet.lon: longitudinal acceleration, m/s² (negative: braking).';
COMMENT ON COLUMN tsi.bsm_messages.wheel_brakes IS 'coreData.brakes.wheelBrakes bit field.';
COMMENT ON COLUMN tsi.bsm_messages.vehicle_length IS 'coreData.size.length, cm.';
COMMENT ON COLUMN tsi.bsm_messages.vehicle_width IS 'coreData.size.width, cm.';

CREATE TABLE tsi.bsm_messages_default PARTITION OF tsi.bsm_messages DEFAULT;
COMMENT ON TABLE tsi.bsm_messages_default IS 'Catches rows outside every daily partition: must stay empty.';

CREATE TABLE tsi.psm_messages (
    ts_second        timestamptz NOT NULL,
    psm_id           bigint NOT NULL,
    msg_cnt          smallint NOT NULL CHECK (msg_cnt BETWEEN 0 AND 127),
    sec_mark         integer NOT NULL CHECK (sec_mark BETWEEN 0 AND 65535),
    ts               timestamptz NOT NULL,
    received_at      timestamptz NOT NULL,
    intersection_id  integer,
    basic_type       smallint CHECK (basic_type BETWEEN 0 AND 4),
    latitude         double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude        double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
    elevation        double precision,
    speed            double precision CHECK (speed BETWEEN 0 AND 163.8),
    heading          double precision,
    rsu_name         text,
    PRIMARY KEY (ts_second, psm_id, msg_cnt, sec_mark)
) PARTITION BY RANGE (ts_second);

COMMENT ON TABLE tsi.psm_messages IS 'Landed Personal Safety Messages (pedestrians, cyclists), de-duplicated; kept while processing needs them.';
COMMENT ON COLUMN tsi.psm_messages.psm_id IS 'psmJson.id: temporary id of the pedestrian or cyclist.';
COMMENT ON COLUMN tsi.psm_messages.basic_type IS '0 unavailable, 1 pedestrian, 2 cyclist, 3 public-safety worker, 4 animal.';
COMMENT ON COLUMN tsi.psm_messages.ts IS 'VCC timestamp: the message time.';
COMMENT ON COLUMN tsi.psm_messages.speed IS 'm/s (NULL: unavailable).';

CREATE TABLE tsi.psm_messages_default PARTITION OF tsi.psm_messages DEFAULT;
COMMENT ON TABLE tsi.psm_messages_default IS 'Catches rows outside every daily partition: must stay empty.';

INSERT INTO tsi.partition_policy (parent, keep, drop_rule)
VALUES ('tsi.bsm_messages', interval '3 days', 'processed'),
       ('tsi.psm_messages', interval '3 days', 'processed');
DO $$ BEGIN PERFORM tsi.create_daily_partitions(p, current_date - 2, current_date + 7)
FROM unnest(ARRAY['tsi.bsm_messages', 'tsi.psm_messages']::regclass[]) AS p; END $$;

COMMIT;
