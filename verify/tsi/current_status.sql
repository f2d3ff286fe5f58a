-- Verify trafficsafety:tsi/current_status on pg
SELECT intersection_id, intersection_name, safety_index, combined_index, vru_index, vehicle_index, traffic_volume,
       risk_band, last_updated, minutes_behind, latitude, longitude
FROM tsi.mv_current_safety_status WHERE false;
SELECT has_function_privilege('tsi.refresh_current_status()', 'execute');
