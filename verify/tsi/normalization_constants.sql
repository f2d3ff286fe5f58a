-- Verify trafficsafety:tsi/normalization_constants on pg
SELECT id, computed_at, constants, valid_from, valid_until, is_bootstrap, history_from, history_until, sample_windows
FROM tsi.normalization_constants WHERE false;
SELECT valid_from, intersection_id, hour_of_day, combined_baseline, vru_baseline, vehicle_baseline, sample_minutes, computed_at
FROM tsi.eb_baselines WHERE false;
