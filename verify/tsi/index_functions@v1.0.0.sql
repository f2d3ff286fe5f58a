-- Verify trafficsafety:tsi/index_functions on pg
-- A cast to regtype raises for a missing type; has_function_privilege raises for a missing function.
SELECT 'tsi.window_features'::regtype, 'tsi.norm_constants'::regtype;

SELECT has_function_privilege(f, 'execute')
FROM unnest(ARRAY[
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
]) AS f;
