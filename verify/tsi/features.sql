-- Verify trafficsafety:tsi/features on pg
SELECT intersection_id, minute, bsm_count, psm_count, traffic_volume, vru_count, speed_n, speed_sum,
       speed_sum_sq, hard_braking_count, vru_event_count, vehicle_event_count
FROM tsi.features_minute WHERE false;
SELECT 1 / count(*) FROM tsi.partition_policy WHERE parent = 'tsi.features_minute'::regclass;
