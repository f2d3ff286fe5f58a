-- Deploy trafficsafety:tsi/rollups to pg
-- Design document §3.1 hourly and daily aggregates (reference §4), plus the VRU and vehicle
-- means the dashboard's history shows and the local hour and weekday.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.safety_indices_hourly (
    id                  bigserial PRIMARY KEY,
    intersection_id     integer NOT NULL REFERENCES tsi.intersections (id) ON DELETE CASCADE,
    hour_timestamp      timestamptz NOT NULL CHECK ((hour_timestamp AT TIME ZONE 'UTC') = date_trunc('hour', hour_timestamp AT TIME ZONE 'UTC')),
    avg_si              double precision NOT NULL,
    min_si              double precision NOT NULL,
    max_si              double precision NOT NULL,
    std_si              double precision,
    total_volume        bigint NOT NULL,
    avg_volume          double precision NOT NULL,
    high_risk_minutes   integer NOT NULL DEFAULT 0,
    data_quality_score  double precision CHECK (data_quality_score BETWEEN 0 AND 1),
    avg_vru_index       double precision,
    avg_vehicle_index   double precision,
    avg_combined_raw    double precision,
    avg_vru_raw         double precision,
    avg_vehicle_raw     double precision,
    minutes_with_data   integer NOT NULL CHECK (minutes_with_data BETWEEN 1 AND 60),
    hour_of_day         integer NOT NULL CHECK (hour_of_day BETWEEN 0 AND 23),
    day_of_week         integer NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    UNIQUE (intersection_id, hour_timestamp)
);

COMMENT ON TABLE tsi.safety_indices_hourly IS 'Hourly rollup of the 1-minute indices per intersection (UTC hours); kept 90 days.';
COMMENT ON COLUMN tsi.safety_indices_hourly.hour_timestamp IS 'Start of the hour (UTC).';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_si IS 'Mean of the minutes'' EB combined index (raw combined where EB is missing).';
COMMENT ON COLUMN tsi.safety_indices_hourly.min_si IS 'Lowest minute index of the hour.';
COMMENT ON COLUMN tsi.safety_indices_hourly.max_si IS 'Highest minute index of the hour.';
COMMENT ON COLUMN tsi.safety_indices_hourly.std_si IS 'Sample standard deviation of the minute indices (NULL for a single minute).';
COMMENT ON COLUMN tsi.safety_indices_hourly.total_volume IS 'Sum of the minutes'' traffic_volume.';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_volume IS 'Mean traffic_volume of the minutes with data.';
COMMENT ON COLUMN tsi.safety_indices_hourly.high_risk_minutes IS 'Minutes with index > 75 (the high risk band).';
COMMENT ON COLUMN tsi.safety_indices_hourly.data_quality_score IS 'Minutes with data / 60.';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_vru_index IS 'Mean VRU index (EB where present).';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_vehicle_index IS 'Mean vehicle index (EB where present).';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_combined_raw IS 'Mean raw (not EB-adjusted) combined index: input of the Empirical-Bayes baselines.';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_vru_raw IS 'Mean raw VRU index.';
COMMENT ON COLUMN tsi.safety_indices_hourly.avg_vehicle_raw IS 'Mean raw vehicle index.';
COMMENT ON COLUMN tsi.safety_indices_hourly.minutes_with_data IS 'Minutes of the hour with a 1-minute row.';
COMMENT ON COLUMN tsi.safety_indices_hourly.hour_of_day IS 'Local hour of day of the hour''s start.';
COMMENT ON COLUMN tsi.safety_indices_hourly.day_of_week IS 'Local day of week, 0 = Monday … 6 = Sunday.';

CREATE INDEX idx_sih_intersection_hour ON tsi.safety_indices_hourly (intersection_id, hour_timestamp DESC);
CREATE INDEX idx_sih_hour ON tsi.safety_indices_hourly (hour_timestamp DESC);

CREATE TABLE tsi.safety_indices_daily (
    id                  bigserial PRIMARY KEY,
    intersection_id     integer NOT NULL REFERENCES tsi.intersections (id) ON DELETE CASCADE,
    date                date NOT NULL,
    avg_si              double precision NOT NULL,
    min_si              double precision NOT NULL,
    max_si              double precision NOT NULL,
    std_si              double precision,
    total_volume        bigint NOT NULL,
    avg_volume          double precision NOT NULL,
    high_risk_hours     integer NOT NULL DEFAULT 0,
    peak_hour           integer CHECK (peak_hour BETWEEN 0 AND 23),
    peak_si             double precision,
    avg_vru_index       double precision,
    avg_vehicle_index   double precision,
    hours_with_data     integer NOT NULL CHECK (hours_with_data BETWEEN 1 AND 25),
    day_of_week         integer NOT NULL CHECK (day_of_week BETWEEN 0 AND 6),
    UNIQUE (intersection_id, date)
);

COMMENT ON TABLE tsi.safety_indices_daily IS 'Daily rollup per intersection and local calendar day, computed from the hourly rows; kept indefinitely.';
COMMENT ON COLUMN tsi.safety_indices_daily.date IS 'Calendar day in the intersection''s time zone (cut at local midnight).';
COMMENT ON COLUMN tsi.safety_indices_daily.avg_si IS 'Mean index of the day''s minutes (hourly means weighted by minutes with data).';
COMMENT ON COLUMN tsi.safety_indices_daily.std_si IS 'Standard deviation of the day''s hourly means.';
COMMENT ON COLUMN tsi.safety_indices_daily.total_volume IS 'Sum of the hours'' total_volume.';
COMMENT ON COLUMN tsi.safety_indices_daily.avg_volume IS 'Mean traffic_volume per minute with data.';
COMMENT ON COLUMN tsi.safety_indices_daily.high_risk_hours IS 'Hours whose mean index is > 75.';
COMMENT ON COLUMN tsi.safety_indices_daily.peak_hour IS 'Local hour of the highest hourly mean.';
COMMENT ON COLUMN tsi.safety_indices_daily.peak_si IS 'The highest hourly mean.';
COMMENT ON COLUMN tsi.safety_indices_daily.hours_with_data IS 'Hours of the day with an hourly row (a local day has 23 to 25 hours).';
COMMENT ON COLUMN tsi.safety_indices_daily.day_of_week IS '0 = Monday … 6 = Sunday.';

CREATE INDEX idx_sid_intersection_date ON tsi.safety_indices_daily (intersection_id, date DESC);
CREATE INDEX idx_sid_date ON tsi.safety_indices_daily (date DESC);

COMMIT;
