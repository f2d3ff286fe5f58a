-- Verify trafficsafety:diary/segments on pg
SELECT segment_id, street, neighborhood, length_m, geometry, created_at, updated_at FROM diary.segments WHERE false;
