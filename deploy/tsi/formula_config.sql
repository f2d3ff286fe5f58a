-- Deploy trafficsafety:tsi/formula_config to pg
-- Weights, scales, window and constants of the safety indices as versioned data
-- (domain reference §2–§3): an index row records its formula_version, so it stays explainable
-- after the formulas change. The version in force at time t is the row with the greatest
-- effective_from <= t (tsi.formula_at). Every column has a DEFAULT equal to version 1, so a new
-- version names only what changes.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.formula_config (
    formula_version                 integer     PRIMARY KEY CHECK (formula_version > 0),
    effective_from                  timestamptz NOT NULL UNIQUE,
    description                     text        NOT NULL,

    w_vru_events                    float8 NOT NULL DEFAULT 0.4,
    w_vru_volume                    float8 NOT NULL DEFAULT 0.2,
    w_vru_speed                     float8 NOT NULL DEFAULT 0.2,
    w_vru_speed_sd                  float8 NOT NULL DEFAULT 0.2,

    w_veh_events                    float8 NOT NULL DEFAULT 0.3,
    w_veh_volume                    float8 NOT NULL DEFAULT 0.3,
    w_veh_speed_sd                  float8 NOT NULL DEFAULT 0.2,
    w_veh_hard_braking              float8 NOT NULL DEFAULT 0.2,

    w_traffic_vru                   float8 NOT NULL DEFAULT 0.6,
    w_traffic_vehicle               float8 NOT NULL DEFAULT 0.4,

    weather_weight                  float8 NOT NULL DEFAULT 0.0,
    w_weather_precip                float8 NOT NULL DEFAULT 0.35,
    w_weather_visibility            float8 NOT NULL DEFAULT 0.30,
    w_weather_wind                  float8 NOT NULL DEFAULT 0.20,
    w_weather_temperature           float8 NOT NULL DEFAULT 0.15,
    weather_precip_scale_mm_h       float8 NOT NULL DEFAULT 20,
    weather_visibility_scale_m      float8 NOT NULL DEFAULT 10000,
    weather_wind_scale_m_s          float8 NOT NULL DEFAULT 25,
    weather_temperature_ref_c       float8 NOT NULL DEFAULT 20,
    weather_temperature_scale_c     float8 NOT NULL DEFAULT 20,

    window_minutes                  integer NOT NULL DEFAULT 15,
    eb_k                            float8  NOT NULL DEFAULT 50,
    eb_default_baseline             float8  NOT NULL DEFAULT 20,
    risk_medium_from                float8  NOT NULL DEFAULT 60,
    risk_high_above                 float8  NOT NULL DEFAULT 75,

    hard_braking_threshold_m_s2     float8  NOT NULL DEFAULT -3.4,
    conflict_distance_m             float8  NOT NULL DEFAULT 10,
    conflict_time_s                 float8  NOT NULL DEFAULT 5,
    vehicle_conflict_speed_diff_m_s float8  NOT NULL DEFAULT 5,
    assignment_radius_m             float8  NOT NULL DEFAULT 100,

    normalization_period_days       integer NOT NULL DEFAULT 30,
    speed_ref_percentile            float8  NOT NULL DEFAULT 0.85,
    silence_threshold_minutes       integer NOT NULL DEFAULT 15,
    min_messages_per_minute         integer NOT NULL DEFAULT 5,

    -- Every weight lies in [0, 1] and each group of weights sums to 1.
    CONSTRAINT formula_config_vru_weights CHECK (
        least(w_vru_events, w_vru_volume, w_vru_speed, w_vru_speed_sd) >= 0
        AND greatest(w_vru_events, w_vru_volume, w_vru_speed, w_vru_speed_sd) <= 1
        AND abs(w_vru_events + w_vru_volume + w_vru_speed + w_vru_speed_sd - 1) <= 1e-9),
    CONSTRAINT formula_config_vehicle_weights CHECK (
        least(w_veh_events, w_veh_volume, w_veh_speed_sd, w_veh_hard_braking) >= 0
        AND greatest(w_veh_events, w_veh_volume, w_veh_speed_sd, w_veh_hard_braking) <= 1
        AND abs(w_veh_events + w_veh_volume + w_veh_speed_sd + w_veh_hard_braking - 1) <= 1e-9),
    CONSTRAINT formula_config_traffic_weights CHECK (
        least(w_traffic_vru, w_traffic_vehicle) >= 0
        AND greatest(w_traffic_vru, w_traffic_vehicle) <= 1
        AND abs(w_traffic_vru + w_traffic_vehicle - 1) <= 1e-9),
    CONSTRAINT formula_config_weather_weights CHECK (
        least(w_weather_precip, w_weather_visibility, w_weather_wind, w_weather_temperature) >= 0
        AND greatest(w_weather_precip, w_weather_visibility, w_weather_wind, w_weather_temperature) <= 1
        AND abs(w_weather_precip + w_weather_visibility + w_weather_wind + w_weather_temperature - 1) <= 1e-9),
    CONSTRAINT formula_config_weather_weight CHECK (weather_weight BETWEEN 0 AND 1),
    CONSTRAINT formula_config_weather_scales CHECK (
        weather_precip_scale_mm_h > 0 AND weather_visibility_scale_m > 0
        AND weather_wind_scale_m_s > 0 AND weather_temperature_scale_c > 0),
    CONSTRAINT formula_config_window_minutes CHECK (window_minutes BETWEEN 1 AND 120),
    CONSTRAINT formula_config_eb CHECK (eb_k > 0 AND eb_default_baseline BETWEEN 0 AND 100),
    CONSTRAINT formula_config_risk_bands CHECK (
        0 <= risk_medium_from AND risk_medium_from <= risk_high_above AND risk_high_above <= 100),
    CONSTRAINT formula_config_hard_braking CHECK (hard_braking_threshold_m_s2 < 0),
    CONSTRAINT formula_config_conflicts CHECK (
        conflict_distance_m > 0 AND conflict_time_s > 0 AND vehicle_conflict_speed_diff_m_s > 0),
    CONSTRAINT formula_config_assignment_radius CHECK (assignment_radius_m > 0),
    CONSTRAINT formula_config_normalization CHECK (
        normalization_period_days >= 1 AND speed_ref_percentile > 0 AND speed_ref_percentile < 1),
    CONSTRAINT formula_config_data_quality CHECK (
        silence_threshold_minutes >= 1 AND min_messages_per_minute >= 0)
);

COMMENT ON TABLE tsi.formula_config IS
    'Versioned weights, scales, window and constants of the safety indices (domain reference §2–§3). '
    'One row per formula version; the version in force at time t is the row with the greatest '
    'effective_from <= t (tsi.formula_at(t)). Column defaults are version 1, so a new version names only what changes. '
    'Never update a version that index rows refer to: insert a new one.';

COMMENT ON COLUMN tsi.formula_config.formula_version IS 'Version number (> 0) recorded with every index row computed under it.';
COMMENT ON COLUMN tsi.formula_config.effective_from IS 'Instant (UTC) from which this version is in force, until the next version''s effective_from; -infinity for the first.';
COMMENT ON COLUMN tsi.formula_config.description IS 'What this version changed and why.';

COMMENT ON COLUMN tsi.formula_config.w_vru_events IS 'VRU index weight of VRU conflict events I_VRU / I_vru_max (dimensionless, 0–1; VRU weights sum to 1).';
COMMENT ON COLUMN tsi.formula_config.w_vru_volume IS 'VRU index weight of traffic volume V / V_max (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.w_vru_speed IS 'VRU index weight of average speed S / S_ref (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.w_vru_speed_sd IS 'VRU index weight of speed standard deviation σ / σ_max (dimensionless, 0–1).';

COMMENT ON COLUMN tsi.formula_config.w_veh_events IS 'Vehicle index weight of vehicle conflict events I_veh / I_veh_max (dimensionless, 0–1; vehicle weights sum to 1).';
COMMENT ON COLUMN tsi.formula_config.w_veh_volume IS 'Vehicle index weight of traffic volume V / V_max (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.w_veh_speed_sd IS 'Vehicle index weight of speed standard deviation σ / σ_max (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.w_veh_hard_braking IS 'Vehicle index weight of hard-braking vehicles HB / HB_max (dimensionless, 0–1).';

COMMENT ON COLUMN tsi.formula_config.w_traffic_vru IS 'Traffic index weight of the VRU index (dimensionless, 0–1; the two traffic weights sum to 1).';
COMMENT ON COLUMN tsi.formula_config.w_traffic_vehicle IS 'Traffic index weight of the vehicle index (dimensionless, 0–1).';

COMMENT ON COLUMN tsi.formula_config.weather_weight IS 'w in Combined = (1 − w)·Traffic + w·Weather (dimensionless, 0–1); 0 while no weather feed exists, so Combined = Traffic.';
COMMENT ON COLUMN tsi.formula_config.w_weather_precip IS 'Weather index weight of min(precipitation / weather_precip_scale_mm_h, 1) (dimensionless, 0–1; weather weights sum to 1).';
COMMENT ON COLUMN tsi.formula_config.w_weather_visibility IS 'Weather index weight of 1 − min(visibility / weather_visibility_scale_m, 1) (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.w_weather_wind IS 'Weather index weight of min(wind speed / weather_wind_scale_m_s, 1) (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.w_weather_temperature IS 'Weather index weight of min(|T − weather_temperature_ref_c| / weather_temperature_scale_c, 1) (dimensionless, 0–1).';
COMMENT ON COLUMN tsi.formula_config.weather_precip_scale_mm_h IS 'Precipitation rate at which the precipitation term saturates (mm/h, > 0).';
COMMENT ON COLUMN tsi.formula_config.weather_visibility_scale_m IS 'Visibility at and above which the visibility term is 0 (m, > 0).';
COMMENT ON COLUMN tsi.formula_config.weather_wind_scale_m_s IS 'Wind speed at which the wind term saturates (m/s, > 0).';
COMMENT ON COLUMN tsi.formula_config.weather_temperature_ref_c IS 'Temperature of no temperature risk (°C).';
COMMENT ON COLUMN tsi.formula_config.weather_temperature_scale_c IS 'Distance from the reference temperature at which the temperature term saturates (°C, > 0).';

COMMENT ON COLUMN tsi.formula_config.window_minutes IS 'Length of the rolling window of 1-minute features behind the real-time index (minutes, 1–120): counts summed, speeds averaged.';
COMMENT ON COLUMN tsi.formula_config.eb_k IS 'Empirical Bayes k in λ = N / (N + k), N = vehicles in the window + 1 (vehicles, > 0).';
COMMENT ON COLUMN tsi.formula_config.eb_default_baseline IS 'Empirical Bayes baseline when neither the intersection nor the network has history (index points, 0–100).';
COMMENT ON COLUMN tsi.formula_config.risk_medium_from IS 'Lowest index of the medium band; below it is low (index points, 0–100).';
COMMENT ON COLUMN tsi.formula_config.risk_high_above IS 'Highest index of the medium band; above it is high ("high risk" in rollups) (index points, 0–100).';

COMMENT ON COLUMN tsi.formula_config.hard_braking_threshold_m_s2 IS 'A vehicle brakes hard when its longitudinal acceleration accelSet.lon is at or below this (m/s², < 0).';
COMMENT ON COLUMN tsi.formula_config.conflict_distance_m IS 'Two road users closer than this form a conflict event (m, > 0).';
COMMENT ON COLUMN tsi.formula_config.conflict_time_s IS 'Two positions count as simultaneous for conflict events when at most this far apart in time (s, > 0).';
COMMENT ON COLUMN tsi.formula_config.vehicle_conflict_speed_diff_m_s IS 'A vehicle–vehicle conflict also needs a speed difference above this (m/s, > 0).';
COMMENT ON COLUMN tsi.formula_config.assignment_radius_m IS 'A message belongs to the nearest intersection whose reference point lies within this geographic distance (m, > 0).';

COMMENT ON COLUMN tsi.formula_config.normalization_period_days IS 'Trailing period over which the normalisation constants are computed (days, >= 1).';
COMMENT ON COLUMN tsi.formula_config.speed_ref_percentile IS 'Percentile of window average speed (speed > 0) taken as S_ref (fraction, strictly between 0 and 1).';
COMMENT ON COLUMN tsi.formula_config.silence_threshold_minutes IS 'Data-quality: a feed silent this long counts as down (minutes, >= 1).';
COMMENT ON COLUMN tsi.formula_config.min_messages_per_minute IS 'Data-quality: fewer messages per minute than this counts as a thin feed (messages/minute, >= 0).';

INSERT INTO tsi.formula_config (formula_version, effective_from, description)
VALUES (1, '-infinity',
        'Initial formulas of the domain reference tsi-domain.md §2–§3 (seed design '
        'tsi-postgresql-postgis-migration-design.md): VRU 0.4/0.2/0.2/0.2, vehicle 0.3/0.3/0.2/0.2, '
        'traffic 0.6/0.4, no weather (w = 0), 15-minute window, EB k = 50, bands 60/75.');

CREATE FUNCTION tsi.formula_at(t timestamptz)
RETURNS tsi.formula_config
LANGUAGE sql
STABLE
AS $$
    SELECT c.*
    FROM tsi.formula_config c
    WHERE c.effective_from <= t
    ORDER BY c.effective_from DESC
    LIMIT 1
$$;

COMMENT ON FUNCTION tsi.formula_at(timestamptz) IS
    'The formula configuration in force at t: the tsi.formula_config row with the greatest effective_from <= t '
    '(all fields NULL if none, which cannot happen while version 1 starts at -infinity).';

-- The same rule as intervals, for set-based lookups (a range test per row against a handful of
-- versions instead of a tsi.formula_at call per row).
CREATE VIEW tsi.formula_periods AS
SELECT c.*, lead(c.effective_from, 1, 'infinity') OVER (ORDER BY c.effective_from) AS effective_until
FROM tsi.formula_config AS c;

COMMENT ON VIEW tsi.formula_periods IS
    'Each formula version with the interval it is in force, [effective_from, effective_until): the next version''s effective_from, or infinity. At t it gives the row tsi.formula_at(t) gives.';
COMMENT ON COLUMN tsi.formula_periods.effective_until IS 'Instant (UTC) from which the next version is in force; infinity for the newest.';

COMMIT;
