-- Verify trafficsafety:diary/routes on pg
SELECT route_id, user_id, route_name, segment_ids, geometry, length_m, duration_min, avg_safety, alt_segment_ids, alt_geometry, alt_length_m, alt_duration_min, alt_avg_safety, created_at, updated_at, is_public FROM diary.routes WHERE false;
SELECT user_id, requested_at FROM diary.route_requests WHERE false;
