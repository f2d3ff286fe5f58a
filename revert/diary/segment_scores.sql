-- Revert trafficsafety:diary/segment_scores from pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

DROP TRIGGER votes_segment_scores_delete ON diary.votes;
DROP TRIGGER votes_segment_scores_update ON diary.votes;
DROP TRIGGER votes_segment_scores_insert ON diary.votes;
DROP TRIGGER ratings_segment_scores_delete ON diary.ratings;
DROP TRIGGER ratings_segment_scores_update ON diary.ratings;
DROP TRIGGER ratings_segment_scores_insert ON diary.ratings;
DROP FUNCTION diary.scores_follow_writes();
DROP FUNCTION diary.refresh_segment_scores(text[]);
DROP TRIGGER segments_updated_at ON diary.segments;
CREATE TRIGGER segments_updated_at BEFORE UPDATE ON diary.segments
    FOR EACH ROW EXECUTE FUNCTION diary.touch_updated_at();
ALTER TABLE diary.segments RESET (fillfactor);
ALTER TABLE diary.segments
    DROP COLUMN scores_at, DROP COLUMN delta_30d, DROP COLUMN top_tags, DROP COLUMN confidence,
    DROP COLUMN n_eff, DROP COLUMN decayed_mean;

COMMIT;
