-- Deploy trafficsafety:tsi/index_functions to pg
-- The index formulas of the domain reference §3 as pure functions: IMMUTABLE, PARALLEL SAFE,
-- single-expression LANGUAGE sql without SET clauses, so the planner inlines them into the
-- queries that compute and explain index rows. Weights and scales come from a
-- tsi.formula_config row passed in (the version in force: tsi.formula_at(t)).
-- Every index is 0–100, higher = riskier; normalised terms are not clipped, only the result.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TYPE tsi.window_features AS (
    vru_event_count     float8,
    traffic_volume      float8,
    avg_speed           float8,
    speed_stddev        float8,
    hard_braking_count  float8,
    vehicle_event_count float8
);

COMMENT ON TYPE tsi.window_features IS
    'Features of one intersection over one rolling window (counts summed over its 1-minute bins, speeds averaged); '
    'the input of tsi.vru_index and tsi.vehicle_index. A NULL feature counts as 0.';
COMMENT ON COLUMN tsi.window_features.vru_event_count IS 'I_VRU: distinct (VRU, vehicle) conflict pairs (count).';
COMMENT ON COLUMN tsi.window_features.traffic_volume IS 'V: distinct vehicles (count).';
COMMENT ON COLUMN tsi.window_features.avg_speed IS 'S: mean vehicle speed (m/s); NULL when no speed was reported.';
COMMENT ON COLUMN tsi.window_features.speed_stddev IS 'σ: standard deviation of vehicle speeds (m/s).';
COMMENT ON COLUMN tsi.window_features.hard_braking_count IS 'HB: distinct vehicles braking hard (count).';
COMMENT ON COLUMN tsi.window_features.vehicle_event_count IS 'I_veh: distinct unordered vehicle–vehicle conflict pairs (count).';

CREATE TYPE tsi.norm_constants AS (
    i_vru_max float8,
    i_veh_max float8,
    v_max     float8,
    sigma_max float8,
    s_ref     float8,
    hb_max    float8
);

COMMENT ON TYPE tsi.norm_constants IS
    'Normalisation constants of the VRU and vehicle indices (maxima of window features over a trailing period; '
    'S_ref a percentile of window average speed). The index functions treat a constant that is NULL, 0 or negative as 1.';
COMMENT ON COLUMN tsi.norm_constants.i_vru_max IS 'I_vru_max: maximum VRU conflict events per window (count).';
COMMENT ON COLUMN tsi.norm_constants.i_veh_max IS 'I_veh_max: maximum vehicle conflict events per window (count).';
COMMENT ON COLUMN tsi.norm_constants.v_max IS 'V_max: maximum traffic volume per window (vehicles).';
COMMENT ON COLUMN tsi.norm_constants.sigma_max IS 'σ_max: maximum speed standard deviation per window (m/s).';
COMMENT ON COLUMN tsi.norm_constants.s_ref IS 'S_ref: reference speed, a percentile of window average speed where speed > 0 (m/s).';
COMMENT ON COLUMN tsi.norm_constants.hb_max IS 'HB_max: maximum hard-braking vehicles per window (count).';

CREATE FUNCTION tsi.positive_or_one(x float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN x > 0 THEN x ELSE 1 END
$$;

COMMENT ON FUNCTION tsi.positive_or_one(float8) IS
    'x when x > 0, else 1 (also for NULL): "any normalisation constant that comes out 0 becomes 1" (same unit as x).';

CREATE FUNCTION tsi.norm_ratio(raw float8, constant float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(raw, 0) / tsi.positive_or_one(constant)
$$;

COMMENT ON FUNCTION tsi.norm_ratio(float8, float8) IS
    'Normalised term x̂ = raw / constant, not clipped (dimensionless). A NULL raw counts as 0; '
    'a constant that is NULL, 0 or negative counts as 1.';

CREATE FUNCTION tsi.norm_constants_from_jsonb(c jsonb)
RETURNS tsi.norm_constants
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT ROW(
        tsi.positive_or_one((c ->> 'i_vru_max')::float8),
        tsi.positive_or_one((c ->> 'i_veh_max')::float8),
        tsi.positive_or_one((c ->> 'v_max')::float8),
        tsi.positive_or_one((c ->> 'sigma_max')::float8),
        tsi.positive_or_one((c ->> 's_ref')::float8),
        tsi.positive_or_one((c ->> 'hb_max')::float8)
    )::tsi.norm_constants
$$;

COMMENT ON FUNCTION tsi.norm_constants_from_jsonb(jsonb) IS
    'The normalisation constants of a JSONB document with keys i_vru_max, i_veh_max, v_max, sigma_max (m/s), '
    's_ref (m/s) and hb_max; a key that is missing, null, 0 or negative gives 1 '
    '("any constant that comes out 0 becomes 1"). A non-numeric value raises.';

CREATE FUNCTION tsi.clip_index(x float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN x < 0 THEN 0 WHEN x > 100 THEN 100 ELSE x END
$$;

COMMENT ON FUNCTION tsi.clip_index(float8) IS
    'clip(x) = min(max(x, 0), 100): an index value clamped to [0, 100] (index points); NULL stays NULL.';

CREATE FUNCTION tsi.vru_index(f tsi.window_features, n tsi.norm_constants, c tsi.formula_config)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT tsi.clip_index(100 * (
          c.w_vru_events   * tsi.norm_ratio(f.vru_event_count, n.i_vru_max)
        + c.w_vru_volume   * tsi.norm_ratio(f.traffic_volume, n.v_max)
        + c.w_vru_speed    * tsi.norm_ratio(f.avg_speed, n.s_ref)
        + c.w_vru_speed_sd * tsi.norm_ratio(f.speed_stddev, n.sigma_max)))
$$;

COMMENT ON FUNCTION tsi.vru_index(tsi.window_features, tsi.norm_constants, tsi.formula_config) IS
    'VRU index (0–100) = clip(100·[w_vru_events·I_VRU/I_vru_max + w_vru_volume·V/V_max + w_vru_speed·S/S_ref '
    '+ w_vru_speed_sd·σ/σ_max]), weights of c (default 0.4/0.2/0.2/0.2); S and σ in m/s. '
    'Terms are not clipped, only the sum; a NULL feature counts as 0, a constant that is NULL, 0 or negative as 1.';

CREATE FUNCTION tsi.vehicle_index(f tsi.window_features, n tsi.norm_constants, c tsi.formula_config)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT tsi.clip_index(100 * (
          c.w_veh_events       * tsi.norm_ratio(f.vehicle_event_count, n.i_veh_max)
        + c.w_veh_volume       * tsi.norm_ratio(f.traffic_volume, n.v_max)
        + c.w_veh_speed_sd     * tsi.norm_ratio(f.speed_stddev, n.sigma_max)
        + c.w_veh_hard_braking * tsi.norm_ratio(f.hard_braking_count, n.hb_max)))
$$;

COMMENT ON FUNCTION tsi.vehicle_index(tsi.window_features, tsi.norm_constants, tsi.formula_config) IS
    'Vehicle index (0–100) = clip(100·[w_veh_events·I_veh/I_veh_max + w_veh_volume·V/V_max + w_veh_speed_sd·σ/σ_max '
    '+ w_veh_hard_braking·HB/HB_max]), weights of c (default 0.3/0.3/0.2/0.2); σ in m/s. '
    'Terms are not clipped, only the sum; a NULL feature counts as 0, a constant that is NULL, 0 or negative as 1.';

CREATE FUNCTION tsi.traffic_index(vru float8, vehicle float8, c tsi.formula_config)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT tsi.clip_index(c.w_traffic_vru * vru + c.w_traffic_vehicle * vehicle)
$$;

COMMENT ON FUNCTION tsi.traffic_index(float8, float8, tsi.formula_config) IS
    'Traffic index (0–100) = clip(w_traffic_vru·VRU + w_traffic_vehicle·Vehicle), weights of c (default 0.6/0.4); '
    'NULL when either index is NULL.';

CREATE FUNCTION tsi.weather_index(precip_mm_h float8, visibility_m float8, wind_m_s float8,
                                  temperature_c float8, c tsi.formula_config)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN precip_mm_h IS NOT NULL AND visibility_m IS NOT NULL
             AND wind_m_s IS NOT NULL AND temperature_c IS NOT NULL
        THEN tsi.clip_index(100 * (
              c.w_weather_precip      * least(precip_mm_h / c.weather_precip_scale_mm_h, 1)
            + c.w_weather_visibility  * (1 - least(visibility_m / c.weather_visibility_scale_m, 1))
            + c.w_weather_wind        * least(wind_m_s / c.weather_wind_scale_m_s, 1)
            + c.w_weather_temperature * least(abs(temperature_c - c.weather_temperature_ref_c)
                                              / c.weather_temperature_scale_c, 1)))
    END
$$;

COMMENT ON FUNCTION tsi.weather_index(float8, float8, float8, float8, tsi.formula_config) IS
    'Weather index (0–100) = clip(100·[w_weather_precip·min(precip/P, 1) + w_weather_visibility·(1 − min(visibility/V, 1)) '
    '+ w_weather_wind·min(wind/W, 1) + w_weather_temperature·min(|T − T_ref|/T_scale, 1)]) with precipitation in mm/h, '
    'visibility in m, wind in m/s, T in °C, and the scales of c (default P = 20 mm/h, V = 10000 m, W = 25 m/s, '
    'T_ref = 20 °C, T_scale = 20 °C). NULL when any input is NULL.';

CREATE FUNCTION tsi.combined_index(traffic float8, weather float8, weather_weight float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT tsi.clip_index(CASE
        WHEN weather IS NULL OR coalesce(weather_weight, 0) = 0 THEN traffic
        ELSE (1 - weather_weight) * traffic + weather_weight * weather
    END)
$$;

COMMENT ON FUNCTION tsi.combined_index(float8, float8, float8) IS
    'Combined index (0–100) = clip((1 − w)·Traffic + w·Weather), w = weather_weight (formula_config.weather_weight, 0–1). '
    'When Weather is NULL (no feed) or w is 0 or NULL, the result is the clipped Traffic index; NULL Traffic gives NULL.';

CREATE FUNCTION tsi.eb_adjust(raw float8, baseline float8, vehicles float8, k float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    -- λ·raw + (1 − λ)·baseline written as raw + (1 − λ)·(baseline − raw), 1 − λ = k/(N + k),
    -- so that N appears once and the body stays a single inlinable expression.
    SELECT tsi.clip_index(CASE
        WHEN baseline IS NULL THEN raw
        ELSE raw + (baseline - raw) * k / (greatest(coalesce(vehicles, 0), 0) + 1 + k)
    END)
$$;

COMMENT ON FUNCTION tsi.eb_adjust(float8, float8, float8, float8) IS
    'Empirical Bayes adjustment (0–100) = clip(λ·raw + (1 − λ)·baseline) with λ = N/(N + k), N = vehicles in the window + 1, '
    'k = formula_config.eb_k: few vehicles pull the index toward the baseline (index points), heavy traffic trusts raw. '
    'Negative vehicles count as 0. NULL raw gives NULL. Callers always pass a baseline (falling back to the intersection mean, the network mean, then '
    'eb_default_baseline); a NULL baseline is treated as λ = 1, i.e. the clipped raw value. NULL vehicles count as 0.';

CREATE FUNCTION tsi.risk_band(idx float8, c tsi.formula_config)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN idx < c.risk_medium_from THEN 'low'
        WHEN idx <= c.risk_high_above THEN 'medium'
        WHEN idx > c.risk_high_above THEN 'high'
    END
$$;

COMMENT ON FUNCTION tsi.risk_band(float8, tsi.formula_config) IS
    'Risk band of an index value (index points): ''low'' below risk_medium_from (default 60), ''medium'' from '
    'risk_medium_from to risk_high_above inclusive (default 60–75), ''high'' above risk_high_above (default > 75); NULL gives NULL.';

COMMIT;
