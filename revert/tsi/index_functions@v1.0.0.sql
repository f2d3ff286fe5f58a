-- Revert trafficsafety:tsi/index_functions from pg
BEGIN;

DROP FUNCTION tsi.risk_band(float8, tsi.formula_config);
DROP FUNCTION tsi.eb_adjust(float8, float8, float8, float8);
DROP FUNCTION tsi.combined_index(float8, float8, float8);
DROP FUNCTION tsi.weather_index(float8, float8, float8, float8, tsi.formula_config);
DROP FUNCTION tsi.traffic_index(float8, float8, tsi.formula_config);
DROP FUNCTION tsi.vehicle_index(tsi.window_features, tsi.norm_constants, tsi.formula_config);
DROP FUNCTION tsi.vru_index(tsi.window_features, tsi.norm_constants, tsi.formula_config);
DROP FUNCTION tsi.clip_index(float8);
DROP FUNCTION tsi.norm_constants_from_jsonb(jsonb);
DROP FUNCTION tsi.norm_ratio(float8, float8);
DROP FUNCTION tsi.positive_or_one(float8);
DROP TYPE tsi.norm_constants;
DROP TYPE tsi.window_features;

COMMIT;
