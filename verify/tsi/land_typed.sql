-- Verify trafficsafety:tsi/land_typed on pg
SELECT batch_id, ord, msg_type, received_at, ts_ms, object_id, msg_cnt, sec_mark, latitude, longitude, elevation, speed,
       heading, accel_lon, accel_lat, wheel_brakes, vehicle_length, vehicle_width, basic_type, rsu_name
FROM tsi.typed_staging WHERE false;
SELECT has_function_privilege('tsi.typed_plain(tsi.typed_staging)', 'execute'),
       has_function_privilege('tsi.number_kept(double precision)', 'execute'),
       has_function_privilege('tsi.typed_refused(uuid)', 'execute'),
       has_function_privilege('tsi.land_typed(uuid, integer, integer, integer, integer, integer)', 'execute');
