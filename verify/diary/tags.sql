-- Verify trafficsafety:diary/tags on pg
SELECT tag, description FROM diary.tags WHERE false;
