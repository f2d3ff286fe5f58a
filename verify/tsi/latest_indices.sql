-- Verify trafficsafety:tsi/latest_indices on pg
SELECT intersection_id, timestamp, safety_index, combined_index, vru_index, vehicle_index, traffic_volume, hour_of_day, day_of_week
FROM tsi.minute_indices WHERE false;
SELECT intersection_id, intersection_name, safety_index, combined_index, vru_index, vehicle_index, traffic_volume,
       risk_band, last_updated, minutes_behind, latitude, longitude
FROM tsi.latest_indices() WHERE false;
