-- Deploy trafficsafety:tsi/normalization_constants to pg
-- Design document §3.1, plus what makes the chaining hold: validity periods never overlap.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE tsi.normalization_constants (
    id            serial PRIMARY KEY,
    computed_at   timestamptz NOT NULL DEFAULT now(),
    constants     jsonb NOT NULL CHECK (constants ?& ARRAY['i_vru_max', 'i_veh_max', 'v_max', 'sigma_max', 's_ref', 'hb_max']),
    valid_from    timestamptz NOT NULL,
    valid_until   timestamptz,
    is_bootstrap  boolean NOT NULL DEFAULT false,
    history_from  timestamptz,
    history_until timestamptz,
    sample_windows bigint NOT NULL DEFAULT 0 CHECK (sample_windows >= 0),
    CHECK (valid_until IS NULL OR valid_until > valid_from),
    EXCLUDE USING gist (tstzrange(valid_from, valid_until) WITH &&)
);

COMMENT ON TABLE tsi.normalization_constants IS
    'Normalisation constants of the index formulas, one row per validity period; a minute is scored with the row valid at its time.';
COMMENT ON COLUMN tsi.normalization_constants.constants IS
    'i_vru_max, i_veh_max, v_max, sigma_max, hb_max: maxima of 15-minute window features over the trailing period; s_ref: 85th percentile of window average speed (m/s) where > 0. A 0 is stored as 1.';
COMMENT ON COLUMN tsi.normalization_constants.valid_from IS 'First instant the constants apply to.';
COMMENT ON COLUMN tsi.normalization_constants.valid_until IS 'End of validity (exclusive); NULL while current. Set when the next row is computed.';
COMMENT ON COLUMN tsi.normalization_constants.is_bootstrap IS 'Computed from less history than the trailing period asks (logged in data_quality_log).';
COMMENT ON COLUMN tsi.normalization_constants.history_from IS 'Start of the history the constants were computed from.';
COMMENT ON COLUMN tsi.normalization_constants.history_until IS 'End of the history the constants were computed from.';
COMMENT ON COLUMN tsi.normalization_constants.sample_windows IS 'Number of (intersection, minute) windows the constants were computed from.';

CREATE INDEX idx_nc_computed ON tsi.normalization_constants (computed_at DESC);
CREATE INDEX idx_nc_valid ON tsi.normalization_constants (valid_from, valid_until);

-- Empirical-Bayes baselines: the mean raw combined index per intersection and local hour of
-- day over a trailing period, with the fallbacks of the reference as rows of their own.
CREATE TABLE tsi.eb_baselines (
    valid_from      timestamptz NOT NULL,
    intersection_id integer REFERENCES tsi.intersections (id) ON DELETE CASCADE,
    hour_of_day     integer CHECK (hour_of_day BETWEEN 0 AND 23),
    combined_baseline double precision NOT NULL CHECK (combined_baseline BETWEEN 0 AND 100),
    vru_baseline      double precision NOT NULL CHECK (vru_baseline BETWEEN 0 AND 100),
    vehicle_baseline  double precision NOT NULL CHECK (vehicle_baseline BETWEEN 0 AND 100),
    sample_minutes  bigint NOT NULL CHECK (sample_minutes >= 0),
    computed_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE NULLS NOT DISTINCT (valid_from, intersection_id, hour_of_day),
    CHECK (intersection_id IS NOT NULL OR hour_of_day IS NULL)
);

COMMENT ON TABLE tsi.eb_baselines IS
    'Empirical-Bayes baselines B, one per index. The set in force at time t is the one with the greatest valid_from <= t; within it the most specific row applies: (intersection, local hour), then (intersection, all hours), then the network (intersection NULL), then the configured default.';
COMMENT ON COLUMN tsi.eb_baselines.intersection_id IS 'NULL: the network-wide mean.';
COMMENT ON COLUMN tsi.eb_baselines.hour_of_day IS 'Local hour of day 0–23; NULL: all hours of the intersection.';
COMMENT ON COLUMN tsi.eb_baselines.combined_baseline IS 'Mean raw combined index over the trailing period.';
COMMENT ON COLUMN tsi.eb_baselines.vru_baseline IS 'Mean raw VRU index over the trailing period.';
COMMENT ON COLUMN tsi.eb_baselines.vehicle_baseline IS 'Mean raw vehicle index over the trailing period.';
COMMENT ON COLUMN tsi.eb_baselines.sample_minutes IS 'Minutes with data the mean was taken over.';

COMMIT;
