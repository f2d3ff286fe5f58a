-- Verify trafficsafety:diary/ratings on pg
SELECT rating_id, segment_id, route_id, user_id, submission_id, rating, tags, comment, submitted_at, device, source, status, created_at FROM diary.ratings WHERE false;
