-- Deploy trafficsafety:analytics/segment_sums_maintenance to pg
-- Triggers that keep analytics.segment_sums current on every write (O(1) per row, a lock on one
-- segment's row), give a vote its implicit rating, and check rating tags against the vocabulary.
-- SECURITY DEFINER: the writers (web_user) have no rights on analytics.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Adds (sign = 1) or removes (sign = -1) one sample. Samples already outside the window are
-- skipped: the exact recompute has dropped (or will drop) them.
CREATE FUNCTION analytics.add_sample(p_segment text, p_at timestamptz, p_value double precision, p_sign integer)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    h   double precision := diary.setting('decay_half_life_days');
    win interval := make_interval(days => diary.setting('window_days')::integer);
    ref timestamptz := now();
    w   double precision;
BEGIN
    IF p_at <= now() - win THEN
        RETURN;
    END IF;
    -- Only an addition makes the row: a removal may come from a segment being deleted.
    IF p_sign > 0 THEN
        INSERT INTO analytics.segment_sums AS s (segment_id, ref_at, sum_w, sum_wx, n_samples, last_updated)
        VALUES (p_segment, ref, 0, 0, 0, now())
        ON CONFLICT (segment_id) DO NOTHING;
    END IF;
    -- Move the reference time forward (never back), then add the sample weighted at it.
    UPDATE analytics.segment_sums s
    SET ref_at = r.new_ref,
        sum_w  = s.sum_w  * diary.decay_weight(extract(epoch FROM r.new_ref - s.ref_at) / 86400, h)
                 + p_sign * r.w,
        sum_wx = s.sum_wx * diary.decay_weight(extract(epoch FROM r.new_ref - s.ref_at) / 86400, h)
                 + p_sign * r.w * p_value,
        n_samples = s.n_samples + p_sign,
        last_updated = now()
    FROM (SELECT greatest(ref_at, ref) AS new_ref FROM analytics.segment_sums WHERE segment_id = p_segment) n,
         LATERAL (SELECT n.new_ref,
                         diary.decay_weight(extract(epoch FROM n.new_ref - p_at) / 86400, h) AS w) r
    WHERE s.segment_id = p_segment;
END
$$;
COMMENT ON FUNCTION analytics.add_sample(text, timestamptz, double precision, integer) IS
    'Adds (+1) or removes (-1) one sample of value x at time t to the segment''s running decayed sums.';

CREATE FUNCTION analytics.ratings_changed()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'accepted' THEN
        PERFORM analytics.add_sample(OLD.segment_id, OLD.submitted_at, OLD.rating, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'accepted' THEN
        PERFORM analytics.add_sample(NEW.segment_id, NEW.submitted_at, NEW.rating, 1);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION analytics.ratings_changed() IS 'Trigger: keeps segment_sums in step with accepted ratings.';

CREATE FUNCTION analytics.votes_changed()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM analytics.add_sample(OLD.segment_id, OLD.submitted_at, OLD.implicit_rating, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM analytics.add_sample(NEW.segment_id, NEW.submitted_at, NEW.implicit_rating, 1);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION analytics.votes_changed() IS 'Trigger: keeps segment_sums in step with votes.';

-- The segment's current decayed mean, unrounded, from its running sums.
CREATE FUNCTION analytics.current_decayed_mean(p_segment text)
RETURNS numeric LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    SELECT diary.shrink(
        (s.sum_wx / nullif(s.sum_w, 0))::numeric,
        coalesce(s.sum_w * diary.decay_weight(extract(epoch FROM now() - s.ref_at) / 86400,
                                              diary.setting('decay_half_life_days')), 0)::numeric,
        diary.setting('prior_mean'), diary.setting('prior_weight'))
    FROM (SELECT 1) one LEFT JOIN analytics.segment_sums s ON s.segment_id = p_segment
$$;
COMMENT ON FUNCTION analytics.current_decayed_mean(text) IS 'Decayed, shrunk mean of a segment now (the prior without samples).';

CREATE FUNCTION analytics.vote_implicit_rating()
RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
BEGIN
    NEW.implicit_rating := diary.implicit_rating(NEW.action, round(analytics.current_decayed_mean(NEW.segment_id), 2));
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION analytics.vote_implicit_rating() IS
    'Trigger: a vote''s implicit rating is derived from the segment''s decayed mean at voting time, whatever the client sent.';

CREATE FUNCTION diary.check_tags(p_tags text[])
RETURNS void LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    bad text;
BEGIN
    IF cardinality(p_tags) > 5 THEN
        RAISE invalid_parameter_value USING MESSAGE = 'tags: at most 5 tags', HINT = 'field: tags';
    END IF;
    SELECT t INTO bad FROM unnest(p_tags) t WHERE t IS NULL OR NOT EXISTS (SELECT FROM diary.tags d WHERE d.tag = t) LIMIT 1;
    IF FOUND THEN
        RAISE invalid_parameter_value USING
            MESSAGE = format('tags: unknown tag %s', coalesce(quote_literal(bad), 'NULL')),
            HINT = 'field: tags; the vocabulary is api.diary_tags';
    END IF;
    IF cardinality(p_tags) <> (SELECT count(DISTINCT t) FROM unnest(p_tags) t) THEN
        RAISE invalid_parameter_value USING MESSAGE = 'tags: a tag may appear once', HINT = 'field: tags';
    END IF;
END
$$;
COMMENT ON FUNCTION diary.check_tags(text[]) IS 'Raises 22023 naming the rule unless tags are ≤ 5 distinct words of diary.tags.';

CREATE FUNCTION diary.ratings_check_tags()
RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM diary.check_tags(NEW.tags);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION diary.ratings_check_tags() IS 'Trigger: a rating''s tags come from the vocabulary.';

CREATE TRIGGER ratings_check_tags BEFORE INSERT OR UPDATE OF tags ON diary.ratings
    FOR EACH ROW EXECUTE FUNCTION diary.ratings_check_tags();
CREATE TRIGGER ratings_segment_sums AFTER INSERT OR UPDATE OF status, rating, submitted_at, segment_id OR DELETE
    ON diary.ratings FOR EACH ROW EXECUTE FUNCTION analytics.ratings_changed();
CREATE TRIGGER votes_implicit_rating BEFORE INSERT ON diary.votes
    FOR EACH ROW EXECUTE FUNCTION analytics.vote_implicit_rating();
CREATE TRIGGER votes_segment_sums AFTER INSERT OR UPDATE OF implicit_rating, submitted_at, segment_id OR DELETE
    ON diary.votes FOR EACH ROW EXECUTE FUNCTION analytics.votes_changed();

COMMIT;
