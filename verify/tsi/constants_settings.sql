-- Verify trafficsafety:tsi/constants_settings on pg
SELECT normalization_min_minutes FROM tsi.formula_config WHERE false;
SELECT history_until, excluded_hours FROM tsi.eb_baselines WHERE false;
SELECT formula_version FROM tsi.normalization_constants WHERE false;
