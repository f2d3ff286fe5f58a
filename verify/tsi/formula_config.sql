-- Verify trafficsafety:tsi/formula_config on pg
-- Selecting the columns raises for a missing table or column; has_function_privilege raises
-- for a missing function.
SELECT formula_version, effective_from, description,
       w_vru_events, w_vru_volume, w_vru_speed, w_vru_speed_sd,
       w_veh_events, w_veh_volume, w_veh_speed_sd, w_veh_hard_braking,
       w_traffic_vru, w_traffic_vehicle,
       weather_weight, w_weather_precip, w_weather_visibility, w_weather_wind, w_weather_temperature,
       weather_precip_scale_mm_h, weather_visibility_scale_m, weather_wind_scale_m_s,
       weather_temperature_ref_c, weather_temperature_scale_c,
       window_minutes, eb_k, eb_default_baseline, risk_medium_from, risk_high_above,
       hard_braking_threshold_m_s2, conflict_distance_m, conflict_time_s,
       vehicle_conflict_speed_diff_m_s, assignment_radius_m,
       normalization_period_days, speed_ref_percentile,
       silence_threshold_minutes, min_messages_per_minute
FROM tsi.formula_config
WHERE false;

SELECT has_function_privilege('tsi.formula_at(timestamptz)', 'execute');

SELECT formula_version, effective_from, effective_until, assignment_radius_m FROM tsi.formula_periods WHERE false;

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM tsi.formula_config WHERE formula_version = 1) THEN
        RAISE EXCEPTION 'formula version 1 is missing';
    END IF;
END
$$;
