-- tsi.formula_config, tsi.formula_at and the pure index functions: the seeded version 1,
-- version lookup, CHECK constraints, the reference test vectors A–D (tsi-domain.md §3) and
-- the edge cases (zeros, constants of 0, clipping, NULL weather, risk band boundaries).
BEGIN;
SELECT plan(89);

-- Version 1 as a composite, and the features / constants of vector A.
\set v1 '(SELECT c FROM tsi.formula_config c WHERE formula_version = 1)'
\set feat_a 'ROW(5, 150, 35, 12, 8, 3)::tsi.window_features'
\set norm_a 'ROW(8, 8, 200, 20, 40, 15)::tsi.norm_constants'

-- ok() with a tolerance: |got - expected| <= tolerance, reporting what came out.
CREATE FUNCTION pg_temp.near(got float8, expected float8, tolerance float8, description text)
RETURNS text LANGUAGE sql AS $$
    SELECT ok(abs(got - expected) <= tolerance,
              format('%s (got %s, expected %s ± %s)', description, coalesce(got::text, 'NULL'), expected, tolerance))
$$;

-- Seeded version 1 ---------------------------------------------------------------------------
SELECT has_table('tsi', 'formula_config', 'tsi.formula_config exists');
SELECT is((SELECT effective_from FROM tsi.formula_config WHERE formula_version = 1), '-infinity'::timestamptz,
          'version 1 is in force since -infinity');
SELECT is((SELECT ARRAY[w_vru_events, w_vru_volume, w_vru_speed, w_vru_speed_sd] FROM tsi.formula_config WHERE formula_version = 1),
          ARRAY[0.4, 0.2, 0.2, 0.2]::float8[], 'version 1 VRU weights are 0.4/0.2/0.2/0.2');
SELECT is((SELECT ARRAY[w_veh_events, w_veh_volume, w_veh_speed_sd, w_veh_hard_braking] FROM tsi.formula_config WHERE formula_version = 1),
          ARRAY[0.3, 0.3, 0.2, 0.2]::float8[], 'version 1 vehicle weights are 0.3/0.3/0.2/0.2');
SELECT is((SELECT ARRAY[w_traffic_vru, w_traffic_vehicle, weather_weight] FROM tsi.formula_config WHERE formula_version = 1),
          ARRAY[0.6, 0.4, 0]::float8[], 'version 1 traffic weights are 0.6/0.4 and the weather weight is 0');
SELECT is((SELECT ARRAY[w_weather_precip, w_weather_visibility, w_weather_wind, w_weather_temperature] FROM tsi.formula_config WHERE formula_version = 1),
          ARRAY[0.35, 0.30, 0.20, 0.15]::float8[], 'version 1 weather weights are 0.35/0.30/0.20/0.15');
SELECT is((SELECT ARRAY[eb_k, eb_default_baseline, risk_medium_from, risk_high_above, hard_braking_threshold_m_s2, assignment_radius_m]
           FROM tsi.formula_config WHERE formula_version = 1),
          ARRAY[50, 20, 60, 75, -3.4, 100]::float8[], 'version 1: EB k 50, baseline 20, bands 60/75, hard braking -3.4 m/s², radius 100 m');
SELECT is((SELECT ARRAY[window_minutes, normalization_period_days, silence_threshold_minutes, min_messages_per_minute]
           FROM tsi.formula_config WHERE formula_version = 1),
          ARRAY[15, 30, 15, 5], 'version 1: 15-minute window, 30-day normalisation, silence 15 min, 5 messages/min');
SELECT is_empty(
    $$ SELECT a.attname FROM pg_attribute a
       WHERE a.attrelid = 'tsi.formula_config'::regclass AND a.attnum > 0 AND NOT a.attisdropped
         AND col_description(a.attrelid, a.attnum) IS NULL $$,
    'every column of tsi.formula_config has a comment');
SELECT ok(obj_description('tsi.formula_config'::regclass, 'pg_class') IS NOT NULL, 'tsi.formula_config has a comment');

-- formula_at ---------------------------------------------------------------------------------
INSERT INTO tsi.formula_config (formula_version, effective_from, description, window_minutes, weather_weight)
VALUES (2, '2026-01-01 00:00:00+00', 'test version: 10-minute window, weather weight 0.15', 10, 0.15);

SELECT is((tsi.formula_at('2025-12-31 23:59:59.999999+00')).formula_version, 1, 'formula_at just before version 2 gives version 1');
SELECT is((tsi.formula_at('2026-01-01 00:00:00+00')).formula_version, 2, 'formula_at at version 2''s effective_from gives version 2');
SELECT is((tsi.formula_at('2030-06-01 12:00:00+00')).formula_version, 2, 'formula_at long after gives the latest version');
SELECT is((tsi.formula_at('1970-01-01 00:00:00+00')).window_minutes, 15, 'formula_at long before gives version 1''s window');
SELECT is((tsi.formula_at('2026-06-01 00:00:00+00')).window_minutes, 10, 'version 2 has the window it names');
SELECT is((tsi.formula_at('2026-06-01 00:00:00+00')).w_vru_events, 0.4::float8, 'version 2 takes the defaults for what it does not name');
SELECT volatility_is('tsi', 'formula_at', ARRAY['timestamp with time zone'], 'stable', 'tsi.formula_at is STABLE');
SELECT is_empty($$
    SELECT t FROM unnest(ARRAY['-infinity', '1970-01-01', '2025-12-31 23:59:59.999999+00', '2026-01-01 00:00:00+00',
                               '2030-06-01', 'infinity']::timestamptz[]) AS t
    WHERE (SELECT p.formula_version FROM tsi.formula_periods AS p WHERE t >= p.effective_from AND t < p.effective_until)
          IS DISTINCT FROM (tsi.formula_at(t)).formula_version AND t <> 'infinity'
       OR (SELECT count(*) FROM tsi.formula_periods AS p WHERE t >= p.effective_from AND t < p.effective_until) <> (t <> 'infinity')::integer
    $$, 'tsi.formula_periods: at each instant exactly one period, the version formula_at gives (none at infinity)');

-- CHECK constraints --------------------------------------------------------------------------
-- Each row: the columns a new version names, their values, and why the row must be rejected.
SELECT throws_ok(
    format('INSERT INTO tsi.formula_config (formula_version, effective_from, description, %s) VALUES (3, %L, %L, %s)',
           cols, '2027-01-01', 'x', vals),
    '23514', NULL, why)
FROM (VALUES
    ('w_vru_events', '0.5', 'VRU weights that do not sum to 1 are rejected'),
    ('w_veh_events, w_veh_volume', '0.6, 0.3', 'vehicle weights that do not sum to 1 are rejected'),
    ('w_traffic_vru, w_traffic_vehicle', '1.2, -0.2', 'a weight outside [0, 1] is rejected even when the group sums to 1'),
    ('w_weather_precip', '0.45', 'weather weights that do not sum to 1 are rejected'),
    ('weather_weight', '1.5', 'a weather weight above 1 is rejected'),
    ('risk_medium_from', '80', 'a medium band starting above the high band is rejected'),
    ('hard_braking_threshold_m_s2', '3.4', 'a positive hard-braking threshold is rejected'),
    ('window_minutes', '0', 'a window of 0 minutes is rejected'),
    ('speed_ref_percentile', '1', 'a speed percentile of 1 is rejected'),
    ('eb_k', '0', 'an EB k of 0 is rejected')
) AS t(cols, vals, why);
SELECT lives_ok($$ INSERT INTO tsi.formula_config (formula_version, effective_from, description, w_vru_events, w_vru_volume)
                   VALUES (3, '2027-01-01', 'x', 0.3, 0.3) $$,
                'a version naming valid weights that sum to 1 is accepted');

-- Reference vectors ----------------------------------------------------------------------------
SELECT pg_temp.near(tsi.vru_index(:feat_a, :norm_a, :v1), 69.5, 0.01, 'vector A: VRU index');
SELECT pg_temp.near(tsi.vehicle_index(:feat_a, :norm_a, :v1), 56.42, 0.01, 'vector A: vehicle index');
SELECT pg_temp.near(tsi.traffic_index(tsi.vru_index(:feat_a, :norm_a, :v1), tsi.vehicle_index(:feat_a, :norm_a, :v1), :v1),
                    64.27, 0.01, 'vector A: traffic index of the VRU and vehicle indices');
SELECT pg_temp.near(tsi.weather_index(15.5, 5000, 8, 15, :v1), 52.275, 0.01, 'vector A: weather index');
SELECT pg_temp.near(tsi.combined_index(
                        tsi.traffic_index(tsi.vru_index(:feat_a, :norm_a, :v1), tsi.vehicle_index(:feat_a, :norm_a, :v1), :v1),
                        tsi.weather_index(15.5, 5000, 8, 15, :v1), 0.15),
                    62.47, 0.05, 'vector A: combined index with w = 0.15');
SELECT pg_temp.near(tsi.combined_index(64.27, 52.275, (tsi.formula_at('2026-06-01')).weather_weight),
                    62.47, 0.05, 'vector A: combined index with the weather weight of a version (0.15)');
SELECT pg_temp.near(tsi.combined_index(70.5, 83.3, 0.15), 72.42, 0.01, 'vector B: combined index');
SELECT pg_temp.near(tsi.vru_index(ROW(1, 253, 20, 10, NULL, NULL)::tsi.window_features,
                                  ROW(3, NULL, 300, 20, 25, NULL)::tsi.norm_constants, :v1),
                    56.2, 0.05, 'vector C: VRU index');
SELECT pg_temp.near(tsi.eb_adjust(62.5, 40, 150, 50), 56.90, 0.01, 'vector D: EB adjustment');
SELECT pg_temp.near(tsi.eb_adjust(62.5, 40, 150, (SELECT eb_k FROM tsi.formula_config WHERE formula_version = 1)),
                    56.90, 0.01, 'vector D: EB adjustment with version 1''s k');

-- Edge cases: zeros, NULLs, constants of 0 ---------------------------------------------------
SELECT is(tsi.vru_index(ROW(0, 0, 0, 0, 0, 0)::tsi.window_features, :norm_a, :v1), 0::float8, 'all-zero features: VRU index 0');
SELECT is(tsi.vehicle_index(ROW(0, 0, 0, 0, 0, 0)::tsi.window_features, :norm_a, :v1), 0::float8, 'all-zero features: vehicle index 0');
SELECT is(tsi.traffic_index(0, 0, :v1), 0::float8, 'zero VRU and vehicle indices: traffic index 0 (zero is a value, not missing)');
SELECT is(tsi.vru_index(ROW(NULL, NULL, NULL, NULL, NULL, NULL)::tsi.window_features, :norm_a, :v1), 0::float8,
          'NULL features (no speeds reported) count as 0');
SELECT is(tsi.norm_constants_from_jsonb('{"i_vru_max": 0, "v_max": null, "sigma_max": 20, "s_ref": -4, "hb_max": 15}'),
          ROW(1, 1, 1, 20, 1, 15)::tsi.norm_constants,
          'norm_constants_from_jsonb: a constant that is 0, null, negative or missing becomes 1');
SELECT is(tsi.norm_constants_from_jsonb('{"i_vru_max": 8, "i_veh_max": 8, "v_max": 200, "sigma_max": 20, "s_ref": 40, "hb_max": 15}'),
          :norm_a, 'norm_constants_from_jsonb reads every key');
SELECT pg_temp.near(tsi.vru_index(:feat_a, tsi.norm_constants_from_jsonb('{"i_vru_max": 8, "i_veh_max": 8, "v_max": 200, "sigma_max": 20, "s_ref": 40, "hb_max": 15}'), :v1),
                    69.5, 0.01, 'vector A through norm_constants_from_jsonb');
SELECT pg_temp.near(tsi.vru_index(ROW(0.1, 0.1, 0.1, 0.1, 0, 0)::tsi.window_features, ROW(0, 0, 0, 0, 0, 0)::tsi.norm_constants, :v1),
                    10, 1e-9, 'VRU index: constants of 0 in the composite are replaced by 1');
SELECT pg_temp.near(tsi.vehicle_index(ROW(0, 0.1, 0, 0.1, 0.1, 0.1)::tsi.window_features, ROW(NULL, NULL, NULL, NULL, NULL, NULL)::tsi.norm_constants, :v1),
                    10, 1e-9, 'vehicle index: NULL constants in the composite are replaced by 1');
SELECT pg_temp.near(tsi.vru_index(ROW(10, 150, 35, 12, 0, 0)::tsi.window_features, :norm_a, :v1), 94.5, 0.01,
                    'normalised terms are not clipped one by one: I_VRU/I_vru_max = 1.25 counts in full');

-- Edge cases: the index never leaves [0, 100] -----------------------------------------------
SELECT is(tsi.vru_index(ROW(1e6, 1e6, 1e6, 1e6, 1e6, 1e6)::tsi.window_features, :norm_a, :v1), 100::float8, 'huge features: VRU index 100');
SELECT is(tsi.vehicle_index(ROW(1e6, 1e6, 1e6, 1e6, 1e6, 1e6)::tsi.window_features, :norm_a, :v1), 100::float8, 'huge features: vehicle index 100');
SELECT is(tsi.vru_index(ROW(-5, -150, -35, -12, -8, -3)::tsi.window_features, :norm_a, :v1), 0::float8, 'negative features: VRU index 0');
SELECT is(tsi.vehicle_index(ROW(-5, -150, -35, -12, -8, -3)::tsi.window_features, :norm_a, :v1), 0::float8, 'negative features: vehicle index 0');
SELECT is(tsi.traffic_index(500, 500, :v1), 100::float8, 'traffic index of out-of-range inputs is clipped to 100');
SELECT pg_temp.near(tsi.weather_index(1000, 0, 1000, -80, :v1), 100, 1e-9, 'worst weather: weather index 100 (weights sum to 1 in float8)');
SELECT is(tsi.weather_index(0, 20000, 0, 20, :v1), 0::float8, 'perfect weather: weather index 0');
SELECT is(tsi.weather_index(15.5, NULL, 8, 15, :v1), NULL, 'weather index with a missing input is NULL');
SELECT is(tsi.combined_index(150, 50, 0.15), 100::float8, 'combined index is clipped to 100');
SELECT is(tsi.eb_adjust(150, 40, 1e9, 50), 100::float8, 'EB adjustment is clipped to 100');
SELECT results_eq(
    $$ SELECT tsi.clip_index(x) FROM unnest(ARRAY[-5, 0, 42.5, 100, 105, NULL]::float8[]) WITH ORDINALITY AS t(x, i) ORDER BY i $$,
    $$ VALUES (0::float8), (0), (42.5), (100), (100), (NULL) $$,
    'clip_index clamps to [0, 100] and keeps NULL');

-- Combined index without weather, EB edge cases -----------------------------------------------
SELECT is(tsi.combined_index(64.27, NULL, 0.15), 64.27::float8, 'combined index with NULL weather is the traffic index');
SELECT is(tsi.combined_index(64.27, 52.275, 0), 64.27::float8, 'combined index with weather weight 0 is the traffic index');
SELECT is(tsi.combined_index(64.27, 52.275, (SELECT weather_weight FROM tsi.formula_config WHERE formula_version = 1)), 64.27::float8,
          'combined index under version 1 (no weather feed) is the traffic index');
SELECT is(tsi.combined_index(NULL, 52.275, 0.15), NULL, 'combined index without a traffic index is NULL');
SELECT is(tsi.eb_adjust(NULL, 40, 150, 50), NULL, 'EB adjustment of a NULL raw index is NULL');
SELECT is(tsi.eb_adjust(62.5, NULL, 150, 50), 62.5::float8, 'EB adjustment without a baseline is the raw index (λ = 1)');
SELECT pg_temp.near(tsi.eb_adjust(62.5, 40, 0, 50), 62.5 * 1 / 51 + 40 * 50 / 51.0, 1e-9, 'EB adjustment with no vehicles: N = 1, λ = 1/51');
SELECT is(tsi.eb_adjust(0, 0, 10, 50), 0::float8, 'EB adjustment of a zero index toward a zero baseline is 0, not NULL');

-- Risk bands ---------------------------------------------------------------------------------
SELECT results_eq(
    $$ SELECT tsi.risk_band(x, (SELECT c FROM tsi.formula_config c WHERE formula_version = 1))
       FROM unnest(ARRAY[0, 59.99, 60, 75, 75.01, 100, NULL]::float8[]) WITH ORDINALITY AS t(x, i) ORDER BY i $$,
    $$ VALUES ('low'), ('low'), ('medium'), ('medium'), ('high'), ('high'), (NULL) $$,
    'risk bands: low < 60, medium 60–75 inclusive, high > 75, NULL stays NULL');
SELECT is(tsi.risk_band(59.99, :v1), 'low', 'risk band of 59.99 is low');
SELECT is(tsi.risk_band(60, :v1), 'medium', 'risk band of 60 is medium');
SELECT is(tsi.risk_band(75, :v1), 'medium', 'risk band of 75 is medium');
SELECT is(tsi.risk_band(75.01, :v1), 'high', 'risk band of 75.01 is high');

-- Function properties ----------------------------------------------------------------------------
SELECT volatility_is('tsi', f, args::name[], 'immutable', format('tsi.%s is IMMUTABLE', f))
FROM (VALUES
    ('positive_or_one', ARRAY['double precision']),
    ('norm_ratio', ARRAY['double precision', 'double precision']),
    ('norm_constants_from_jsonb', ARRAY['jsonb']),
    ('clip_index', ARRAY['double precision']),
    ('vru_index', ARRAY['tsi.window_features', 'tsi.norm_constants', 'tsi.formula_config']),
    ('vehicle_index', ARRAY['tsi.window_features', 'tsi.norm_constants', 'tsi.formula_config']),
    ('traffic_index', ARRAY['double precision', 'double precision', 'tsi.formula_config']),
    ('weather_index', ARRAY['double precision', 'double precision', 'double precision', 'double precision', 'tsi.formula_config']),
    ('combined_index', ARRAY['double precision', 'double precision', 'double precision']),
    ('eb_adjust', ARRAY['double precision', 'double precision', 'double precision', 'double precision']),
    ('risk_band', ARRAY['double precision', 'tsi.formula_config'])
) AS t(f, args);
SELECT is_empty(
    $$ SELECT p.oid::regprocedure FROM pg_proc p
       WHERE p.pronamespace = 'tsi'::regnamespace
         AND p.proname IN ('positive_or_one', 'norm_ratio', 'norm_constants_from_jsonb', 'clip_index', 'vru_index',
                           'vehicle_index', 'traffic_index', 'weather_index', 'combined_index', 'eb_adjust', 'risk_band')
         AND (p.prolang <> (SELECT oid FROM pg_language WHERE lanname = 'sql') OR p.proparallel <> 's' OR p.proconfig IS NOT NULL
              OR p.prosecdef OR obj_description(p.oid, 'pg_proc') IS NULL) $$,
    'the index functions are commented, LANGUAGE sql, PARALLEL SAFE, without SET clauses (inlinable)');
SELECT ok(obj_description('tsi.formula_at(timestamptz)'::regprocedure, 'pg_proc') IS NOT NULL, 'tsi.formula_at has a comment');

-- Privileges ---------------------------------------------------------------------------------
SET LOCAL ROLE analyst;
SELECT pg_temp.near(tsi.vru_index(:feat_a, :norm_a, tsi.formula_at('2025-01-01')), 69.5, 0.01,
                    'an analyst can compute vector A with the version in force');
SELECT is(tsi.risk_band(80, tsi.formula_at('2025-01-01')), 'high', 'an analyst can compute risk bands');
RESET ROLE;

SET LOCAL ROLE collector;
SELECT throws_ok('SELECT tsi.clip_index(50)', '42501', NULL, 'the collector cannot call the index functions');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
