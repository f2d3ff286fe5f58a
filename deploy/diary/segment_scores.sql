-- Deploy trafficsafety:diary/segment_scores to pg
-- The seed's denormalised score columns of diary.segments (schema document §3), so that its
-- analyst queries run as written (SELECT decayed_mean, n_eff, confidence, top_tags, delta_30d
-- FROM diary.segments WHERE … AND confidence >= 0.5, §7.1). The incremental design stays: the
-- one source is analytics.segment_aggregates over the running sums; these columns are a copy
-- of it, written for the segments a statement's ratings or votes touched (at the end of the
-- statement, after the sums) and refreshed every 10 minutes for the decay of the segments
-- nobody rated (diary-segment-scores: only rows whose rounded values changed are written).
-- confidence is a column, not the seed's generated one: its full_n is a setting
-- (confidence_full_n), which a generated column cannot read.
BEGIN;
SET LOCAL ROLE tsdb_owner;

ALTER TABLE diary.segments
    ADD COLUMN decayed_mean numeric(3, 2) NOT NULL DEFAULT 3.00 CHECK (decayed_mean BETWEEN 1.00 AND 5.00),
    ADD COLUMN n_eff        numeric(8, 2) NOT NULL DEFAULT 0.00 CHECK (n_eff >= 0),
    ADD COLUMN confidence   numeric(3, 2) NOT NULL DEFAULT 0.00 CHECK (confidence BETWEEN 0.00 AND 1.00),
    ADD COLUMN top_tags     text[] NOT NULL DEFAULT '{}',
    ADD COLUMN delta_30d    numeric(3, 2) NOT NULL DEFAULT 0.00 CHECK (delta_30d BETWEEN -4.00 AND 4.00),
    ADD COLUMN scores_at    timestamptz;
COMMENT ON COLUMN diary.segments.decayed_mean IS 'Copy of analytics.segment_aggregates.decayed_mean as of scores_at (current after every rating or vote of the segment, refreshed every 10 minutes).';
COMMENT ON COLUMN diary.segments.n_eff IS 'Copy of analytics.segment_aggregates.n_eff as of scores_at.';
COMMENT ON COLUMN diary.segments.confidence IS 'Copy of analytics.segment_aggregates.confidence (n_eff / confidence_full_n, at most 1) as of scores_at.';
COMMENT ON COLUMN diary.segments.top_tags IS 'Copy of analytics.segment_aggregates.top_tags as of scores_at.';
COMMENT ON COLUMN diary.segments.delta_30d IS 'Copy of analytics.segment_aggregates.delta_30d as of scores_at.';
COMMENT ON COLUMN diary.segments.scores_at IS 'When the score columns last changed (NULL: never rated, the defaults).';
-- Room on each page for the next version of a row, so that writing the scores is a HOT update
-- (no new entry in the geometry's GiST and the other indexes). For the same reason no index
-- covers a score column (the seed's partial index on confidence would make every update of it
-- non-HOT: a rating write cost 5 ms more, measured); the seed's queries select by bbox first.
-- Pages written before this change fill up as they are: a VACUUM FULL diary.segments after an
-- upgrade gives them the room as well.
ALTER TABLE diary.segments SET (fillfactor = 80);

-- The scores are not an edit of the segment: updated_at follows the segment's own columns only
-- (and is now() whatever a writer of these sets).
DROP TRIGGER segments_updated_at ON diary.segments;
CREATE TRIGGER segments_updated_at BEFORE UPDATE OF segment_id, street, neighborhood, length_m, geometry, updated_at ON diary.segments
    FOR EACH ROW EXECUTE FUNCTION diary.touch_updated_at();

-- One generic plan per connection: planning the view's join (≈ 10 ms) at every write cost ten
-- times its execution (< 1 ms), and a custom plan per segment array gains nothing.
CREATE FUNCTION diary.refresh_segment_scores(p_segments text[] DEFAULT NULL)
RETURNS integer LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    n integer;
BEGIN
    IF p_segments IS NULL THEN
        UPDATE diary.segments s
        SET decayed_mean = a.decayed_mean, n_eff = a.n_eff, confidence = a.confidence,
            top_tags = a.top_tags, delta_30d = coalesce(a.delta_30d, 0), scores_at = now()
        FROM analytics.segment_aggregates a
        WHERE a.segment_id = s.segment_id
          AND (s.decayed_mean, s.n_eff, s.confidence, s.top_tags, s.delta_30d)
              IS DISTINCT FROM (a.decayed_mean, a.n_eff, a.confidence, a.top_tags, coalesce(a.delta_30d, 0));
    ELSE
        -- in segment_id order, so that concurrent writers lock the rows in one order
        UPDATE diary.segments s
        SET decayed_mean = a.decayed_mean, n_eff = a.n_eff, confidence = a.confidence,
            top_tags = a.top_tags, delta_30d = coalesce(a.delta_30d, 0), scores_at = now()
        FROM (SELECT x.* FROM analytics.segment_aggregates x
              WHERE x.segment_id = ANY (p_segments) ORDER BY x.segment_id) a
        WHERE a.segment_id = s.segment_id
          AND (s.decayed_mean, s.n_eff, s.confidence, s.top_tags, s.delta_30d)
              IS DISTINCT FROM (a.decayed_mean, a.n_eff, a.confidence, a.top_tags, coalesce(a.delta_30d, 0));
    END IF;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION diary.refresh_segment_scores(text[]) IS
    'Copies the current scores of the given segments (all when NULL) from analytics.segment_aggregates into diary.segments where they changed; returns how many rows changed.';

-- Statement-level, after the row triggers that keep the sums: one refresh per statement (a trip's
-- 500 ratings, an account deletion's cascade) over the segments it touched.
CREATE FUNCTION diary.scores_follow_writes()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM diary.refresh_segment_scores(ARRAY(SELECT DISTINCT segment_id::text FROM new_rows));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM diary.refresh_segment_scores(ARRAY(SELECT DISTINCT segment_id::text FROM old_rows));
    ELSE
        PERFORM diary.refresh_segment_scores(ARRAY(SELECT segment_id::text FROM new_rows
                                                   UNION SELECT segment_id::text FROM old_rows));
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION diary.scores_follow_writes() IS
    'Trigger: the score columns of the segments whose ratings or votes a statement changed follow at its end.';

CREATE TRIGGER ratings_segment_scores_insert AFTER INSERT ON diary.ratings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.scores_follow_writes();
CREATE TRIGGER ratings_segment_scores_update AFTER UPDATE ON diary.ratings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.scores_follow_writes();
CREATE TRIGGER ratings_segment_scores_delete AFTER DELETE ON diary.ratings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.scores_follow_writes();
CREATE TRIGGER votes_segment_scores_insert AFTER INSERT ON diary.votes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.scores_follow_writes();
CREATE TRIGGER votes_segment_scores_update AFTER UPDATE ON diary.votes
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.scores_follow_writes();
CREATE TRIGGER votes_segment_scores_delete AFTER DELETE ON diary.votes
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION diary.scores_follow_writes();

-- Scores of the segments deployed with ratings already.
SELECT diary.refresh_segment_scores();

COMMIT;
