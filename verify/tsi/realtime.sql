-- Verify trafficsafety:tsi/realtime on pg
SELECT id, intersection_id, timestamp, combined_index, combined_index_eb, vru_index, vru_index_eb,
       vehicle_index, vehicle_index_eb, traffic_index, traffic_volume, vru_count, vehicle_event_count,
       vru_event_count, hard_braking_count, avg_speed, window_volume, hour_of_day, day_of_week,
       formula_version, constants_id
FROM tsi.safety_indices_realtime WHERE false;
SELECT 1 / count(*) FROM tsi.partition_policy WHERE parent = 'tsi.safety_indices_realtime'::regclass;
SELECT 1 FROM tsi.safety_indices_realtime_default WHERE false;
