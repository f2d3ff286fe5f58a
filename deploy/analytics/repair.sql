-- Deploy trafficsafety:analytics/repair to pg
-- The exact recompute behind the incremental sums: recomputes every segment's sums from the
-- ratings and votes of the window at p_at, compares, rewrites the rows that differ (float
-- drift, samples that left the window, a changed half-life) and logs what it did.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION analytics.exact_segment_sums(p_at timestamptz)
RETURNS TABLE (segment_id varchar, sum_w double precision, sum_wx double precision, n_samples integer)
LANGUAGE sql STABLE AS $$
    WITH cfg AS (SELECT diary.setting('decay_half_life_days')::double precision AS h,
                        make_interval(days => diary.setting('window_days')::integer) AS win),
    samples AS (
        SELECT r.segment_id, r.rating::double precision AS x, r.submitted_at AS at
        FROM diary.ratings r, cfg WHERE r.status = 'accepted' AND r.submitted_at > p_at - cfg.win
        UNION ALL
        SELECT v.segment_id, v.implicit_rating::double precision, v.submitted_at
        FROM diary.votes v, cfg WHERE v.submitted_at > p_at - cfg.win
    )
    SELECT s.segment_id, sum(w.w), sum(w.w * s.x), count(*)::integer
    FROM samples s CROSS JOIN cfg
    CROSS JOIN LATERAL (SELECT diary.decay_weight(extract(epoch FROM p_at - s.at) / 86400, cfg.h) AS w) w
    GROUP BY s.segment_id
$$;
COMMENT ON FUNCTION analytics.exact_segment_sums(timestamptz) IS
    'Decayed sums of every segment computed from scratch at p_at.';

CREATE PROCEDURE analytics.repair_segment_aggregates(p_at timestamptz DEFAULT now())
LANGUAGE plpgsql AS $$
DECLARE
    h        double precision := diary.setting('decay_half_life_days');
    checked  integer;
    repaired integer;
    max_err  double precision;
BEGIN
    -- Writers wait for the few seconds this takes; a write between our reading and our
    -- rewriting would otherwise be lost from the sums. Readers are not blocked.
    LOCK TABLE diary.ratings, diary.votes IN SHARE MODE;
    CREATE TEMP TABLE repair_diff ON COMMIT DROP AS
    WITH exact AS (SELECT * FROM analytics.exact_segment_sums(p_at)),
    cur AS (
        SELECT s.segment_id, s.n_samples,
               s.sum_w  * diary.decay_weight(extract(epoch FROM p_at - s.ref_at) / 86400, h) AS sum_w,
               s.sum_wx * diary.decay_weight(extract(epoch FROM p_at - s.ref_at) / 86400, h) AS sum_wx
        FROM analytics.segment_sums s
    )
    SELECT coalesce(e.segment_id, c.segment_id) AS segment_id,
           e.sum_w AS exact_w, e.sum_wx AS exact_wx, e.n_samples AS exact_n,
           abs(coalesce(e.sum_w, 0) - coalesce(c.sum_w, 0)) AS err_w,
           abs(coalesce(e.sum_wx, 0) - coalesce(c.sum_wx, 0)) AS err_wx,
           coalesce(e.n_samples, 0) <> coalesce(c.n_samples, 0) AS count_differs
    FROM exact e FULL JOIN cur c ON c.segment_id = e.segment_id;

    SELECT count(*), coalesce(max(err_w), 0) INTO checked, max_err FROM repair_diff;
    DELETE FROM repair_diff
    WHERE NOT count_differs AND err_w <= 1e-9 * greatest(1, abs(exact_w)) AND err_wx <= 1e-9 * greatest(1, abs(exact_wx));
    SELECT count(*) INTO repaired FROM repair_diff;

    DELETE FROM analytics.segment_sums s USING repair_diff d
    WHERE s.segment_id = d.segment_id AND d.exact_n IS NULL;
    INSERT INTO analytics.segment_sums AS s (segment_id, ref_at, sum_w, sum_wx, n_samples, last_updated)
    SELECT d.segment_id, p_at, d.exact_w, d.exact_wx, d.exact_n, now()
    FROM repair_diff d WHERE d.exact_n IS NOT NULL
    ON CONFLICT (segment_id) DO UPDATE
    SET ref_at = EXCLUDED.ref_at, sum_w = EXCLUDED.sum_w, sum_wx = EXCLUDED.sum_wx,
        n_samples = EXCLUDED.n_samples, last_updated = EXCLUDED.last_updated;

    INSERT INTO analytics.repair_log (as_of, checked, repaired, max_error)
    VALUES (p_at, checked, repaired, max_err);
    DROP TABLE repair_diff;
END
$$;
COMMENT ON PROCEDURE analytics.repair_segment_aggregates(timestamptz) IS
    'Exact recompute of analytics.segment_sums at p_at: rewrites rows that differ from the ratings and votes, logs to analytics.repair_log.';

COMMIT;
