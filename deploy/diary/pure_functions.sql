-- Deploy trafficsafety:diary/pure_functions to pg
-- The diary's formulas (reference §2-§5) as pure functions. Their constants are parameters with
-- the reference's values as defaults; callers pass the configured values (diary.settings).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION diary.decay_weight(age_days double precision, half_life_days double precision DEFAULT 21)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT power(2.0::double precision, -age_days / half_life_days)
$$;
COMMENT ON FUNCTION diary.decay_weight(double precision, double precision) IS
    'Weight of a sample aged age_days: 2^(-age / half-life).';

CREATE FUNCTION diary.shrink(observed_mean numeric, n_eff numeric,
                             prior_mean numeric DEFAULT 3.0, prior_weight numeric DEFAULT 5)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN observed_mean IS NULL OR coalesce(n_eff, 0) <= 0 THEN prior_mean
                ELSE (prior_mean * prior_weight + observed_mean * n_eff) / (prior_weight + n_eff) END
$$;
COMMENT ON FUNCTION diary.shrink(numeric, numeric, numeric, numeric) IS
    'Shrinkage toward the prior: (prior * prior_weight + mean * n_eff) / (prior_weight + n_eff); the prior without samples.';

CREATE FUNCTION diary.confidence(n_eff numeric, full_n numeric DEFAULT 10)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT least(1.0, coalesce(n_eff, 0) / full_n)
$$;
COMMENT ON FUNCTION diary.confidence(numeric, numeric) IS 'min(1, n_eff / full_n).';

CREATE FUNCTION diary.window_delta(recent_mean numeric, earlier_mean numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- An empty window gives 0, not a comparison with an invented 3.0 (seed defect).
    SELECT coalesce(recent_mean - earlier_mean, 0)
$$;
COMMENT ON FUNCTION diary.window_delta(numeric, numeric) IS
    'delta_30d: mean of the last 30 days minus mean of the 60 days before; 0 when either window is empty.';

CREATE FUNCTION diary.implicit_rating(action text, decayed_mean numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE action WHEN 'agree' THEN decayed_mean
                       WHEN 'safer' THEN least(decayed_mean + 1, 5) END
$$;
COMMENT ON FUNCTION diary.implicit_rating(text, numeric) IS
    'Rating a vote stands for: agree = the current decayed mean, safer = min(mean + 1, 5).';

CREATE FUNCTION diary.calculate_segment_cost(length_m numeric, decayed_mean numeric, safety_weight numeric DEFAULT 0.5)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT length_m * (1.0 + safety_weight * (5.0 - decayed_mean) / 5.0)
$$;
COMMENT ON FUNCTION diary.calculate_segment_cost(numeric, numeric, numeric) IS
    'Routing cost of a segment: length * (1 + w * (5 - mean) / 5); never below its length.';

CREATE FUNCTION diary.safety_weight(mode text)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE mode WHEN 'optimal' THEN 0.2 WHEN 'balanced' THEN 0.5 WHEN 'safest' THEN 0.8 END
$$;
COMMENT ON FUNCTION diary.safety_weight(text) IS 'Safety weight of a routing mode: optimal 0.2, balanced 0.5, safest 0.8.';

CREATE FUNCTION diary.percentage(part bigint, total bigint)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT round(100.0 * part / nullif(total, 0), 1)
$$;
COMMENT ON FUNCTION diary.percentage(bigint, bigint) IS 'part / total * 100, one decimal; NULL for an empty total.';

-- Duplicate windows of the exclusion constraints. A span in hours is a fixed number of
-- microseconds whatever the time zone, so adding it is immutable (unlike adding days).
CREATE FUNCTION diary.span_hours(from_ts timestamptz, hours integer)
RETURNS tstzrange LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT tstzrange(from_ts, from_ts + make_interval(hours => hours), '[)')
$$;
COMMENT ON FUNCTION diary.span_hours(timestamptz, integer) IS
    'The half-open span [from_ts, from_ts + hours): two samples conflict when their spans overlap.';

CREATE FUNCTION diary.touch_updated_at()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION diary.touch_updated_at() IS 'Trigger: updated_at = now() on every update.';

COMMIT;
