-- Revert trafficsafety:analytics/segment_sums_maintenance from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TRIGGER votes_segment_sums ON diary.votes;
DROP TRIGGER votes_implicit_rating ON diary.votes;
DROP TRIGGER ratings_segment_sums ON diary.ratings;
DROP TRIGGER ratings_check_tags ON diary.ratings;
DROP FUNCTION diary.ratings_check_tags();
DROP FUNCTION diary.check_tags(text[]);
DROP FUNCTION analytics.vote_implicit_rating();
DROP FUNCTION analytics.current_decayed_mean(text);
DROP FUNCTION analytics.votes_changed();
DROP FUNCTION analytics.ratings_changed();
DROP FUNCTION analytics.add_sample(text, timestamptz, double precision, integer);

COMMIT;
