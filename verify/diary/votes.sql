-- Verify trafficsafety:diary/votes on pg
SELECT vote_id, segment_id, user_id, action, implicit_rating, submitted_at, created_at FROM diary.votes WHERE false;
