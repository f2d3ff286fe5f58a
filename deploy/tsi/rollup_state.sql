-- Deploy trafficsafety:tsi/rollup_state to pg
-- Bookkeeping that makes the rollups exactly-once: a watermark per rollup, advanced in the
-- same transaction as the aggregation, and the hours and days that changed behind it.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.rollup_watermarks (
    rollup      text PRIMARY KEY CHECK (rollup IN ('hourly', 'daily')),
    watermark   timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE tsi.rollup_watermarks IS
    'Everything before the watermark has been rolled up (hourly: UTC hours; daily: local days that ended before it); later changes behind it are listed in tsi.dirty_hours / tsi.dirty_days.';
INSERT INTO tsi.rollup_watermarks (rollup, watermark) VALUES ('hourly', '-infinity'), ('daily', '-infinity');

CREATE TABLE tsi.dirty_hours (
    intersection_id integer NOT NULL,
    hour_timestamp  timestamptz NOT NULL,
    PRIMARY KEY (intersection_id, hour_timestamp)
);
COMMENT ON TABLE tsi.dirty_hours IS 'Hours behind the hourly watermark whose 1-minute rows changed (late data, reprocessing): recomputed by the next hourly rollup.';

CREATE TABLE tsi.dirty_days (
    intersection_id integer NOT NULL,
    date            date NOT NULL,
    PRIMARY KEY (intersection_id, date)
);
COMMENT ON TABLE tsi.dirty_days IS 'Local days behind the daily watermark whose hourly rows changed: recomputed by the next daily rollup.';

COMMIT;
