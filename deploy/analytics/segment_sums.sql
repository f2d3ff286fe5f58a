-- Deploy trafficsafety:analytics/segment_sums to pg
-- Running decayed sums per segment (reference §2 decision): sum_w = Σ 2^(-(ref_at - t)/H) and
-- sum_wx = Σ w·x at the reference time ref_at. Reading at time T multiplies both by
-- 2^(-(T - ref_at)/H); their ratio, the observed mean, does not change with time.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE analytics.segment_sums (
    segment_id   varchar(50) PRIMARY KEY REFERENCES diary.segments (segment_id) ON DELETE CASCADE,
    ref_at       timestamptz NOT NULL,
    sum_w        double precision NOT NULL,
    sum_wx       double precision NOT NULL,
    n_samples    integer NOT NULL,
    last_updated timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE analytics.segment_sums IS
    'Per segment: decayed weight and weighted-value sums of its accepted ratings and votes at ref_at, kept current by triggers, checked by analytics.repair_segment_aggregates.';
CREATE INDEX idx_segment_sums_updated ON analytics.segment_sums (last_updated);

CREATE TABLE analytics.repair_log (
    run_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    as_of     timestamptz NOT NULL,
    checked   integer NOT NULL,
    repaired  integer NOT NULL,
    max_error double precision NOT NULL,
    PRIMARY KEY (run_at)
);
COMMENT ON TABLE analytics.repair_log IS
    'One row per exact recompute: segments checked, rows rewritten (drift, or samples that left the window) and the largest n_eff error found.';

COMMIT;
