-- Verify trafficsafety:tsi/index_functions_grants on pg
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(f, ', ') INTO missing
    FROM unnest(ARRAY[
        'tsi.formula_at(timestamptz)',
        'tsi.positive_or_one(float8)',
        'tsi.norm_ratio(float8, float8)',
        'tsi.norm_constants_from_jsonb(jsonb)',
        'tsi.clip_index(float8)',
        'tsi.vru_index(tsi.window_features, tsi.norm_constants, tsi.formula_config)',
        'tsi.vehicle_index(tsi.window_features, tsi.norm_constants, tsi.formula_config)',
        'tsi.traffic_index(float8, float8, tsi.formula_config)',
        'tsi.weather_index(float8, float8, float8, float8, tsi.formula_config)',
        'tsi.combined_index(float8, float8, float8)',
        'tsi.eb_adjust(float8, float8, float8, float8)',
        'tsi.risk_band(float8, tsi.formula_config)'
    ]) AS f
    WHERE NOT has_function_privilege('analyst', f, 'execute');
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'analyst cannot execute %', missing;
    END IF;
END
$$;
