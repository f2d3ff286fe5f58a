-- Verify trafficsafety:tsi/raw_messages on pg
SELECT ts_second, vehicle_id, msg_cnt, sec_mark, ts, received_at, intersection_id, latitude, longitude,
       elevation, speed, heading, accel_lon, accel_lat, wheel_brakes, vehicle_length, vehicle_width, rsu_name
FROM tsi.bsm_messages WHERE false;
SELECT ts_second, psm_id, msg_cnt, sec_mark, ts, received_at, intersection_id, basic_type, latitude,
       longitude, elevation, speed, heading, rsu_name
FROM tsi.psm_messages WHERE false;
