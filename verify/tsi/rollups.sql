-- Verify trafficsafety:tsi/rollups on pg
SELECT id, intersection_id, hour_timestamp, avg_si, min_si, max_si, std_si, total_volume, avg_volume,
       high_risk_minutes, data_quality_score, avg_vru_index, avg_vehicle_index, avg_combined_raw, avg_vru_raw,
       avg_vehicle_raw, minutes_with_data,
       hour_of_day, day_of_week
FROM tsi.safety_indices_hourly WHERE false;
SELECT id, intersection_id, date, avg_si, min_si, max_si, std_si, total_volume, avg_volume,
       high_risk_hours, peak_hour, peak_si, avg_vru_index, avg_vehicle_index, hours_with_data, day_of_week
FROM tsi.safety_indices_daily WHERE false;
