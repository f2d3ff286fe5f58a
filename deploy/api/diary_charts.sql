-- Deploy trafficsafety:api/diary_charts to pg
-- Chart data (reference §5). SECURITY DEFINER: they aggregate everyone's ratings (only aggregates
-- leave), for routes the caller may see (own or public).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION diary.visible_route_segments(p_route uuid)
RETURNS text[] LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    ids text[];
BEGIN
    SELECT r.segment_ids INTO ids FROM diary.routes r
    WHERE r.route_id = p_route AND (r.is_public OR r.user_id = auth.current_user_id());
    IF ids IS NULL THEN
        PERFORM diary.not_found('route_id', 'no route of yours or public with this id');
    END IF;
    RETURN ids;
END
$$;
COMMENT ON FUNCTION diary.visible_route_segments(uuid) IS 'Segment ids of a route the caller may see; 404 otherwise.';

-- Days are UTC calendar days. The rolling columns pool the samples of the window (not an
-- unweighted mean of daily means, the seed's defect).
CREATE FUNCTION api.route_trend(route_id uuid, window_days integer DEFAULT 30)
RETURNS TABLE (day date, mean_rating numeric, std_error numeric, n_samples bigint, confidence numeric,
               rolling_mean numeric, rolling_std_error numeric, rolling_n bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH seg AS (SELECT unnest(diary.visible_route_segments(route_trend.route_id)) AS segment_id),
    samples AS (
        SELECT (r.submitted_at AT TIME ZONE 'UTC')::date AS day, r.rating::numeric AS x
        FROM diary.ratings r JOIN seg USING (segment_id)
        WHERE r.status = 'accepted' AND r.submitted_at > now() - make_interval(days => diary.setting('window_days')::integer)
        UNION ALL
        SELECT (v.submitted_at AT TIME ZONE 'UTC')::date, v.implicit_rating
        FROM diary.votes v JOIN seg USING (segment_id)
        WHERE v.submitted_at > now() - make_interval(days => diary.setting('window_days')::integer)
    ),
    daily AS (
        SELECT day, count(*) AS n, sum(x) AS sx, sum(x * x) AS sxx FROM samples GROUP BY day
    ),
    rolling AS (
        SELECT d.*, sum(n) OVER w AS rn, sum(sx) OVER w AS rsx, sum(sxx) OVER w AS rsxx
        FROM daily d
        WINDOW w AS (ORDER BY day RANGE BETWEEN make_interval(days => diary.check_between('window_days', route_trend.window_days, 1, 180)::integer - 1) PRECEDING AND CURRENT ROW)
    )
    SELECT day, round(sx / n, 2),
           CASE WHEN n > 1 THEN round(sqrt(greatest((sxx - sx * sx / n) / (n - 1), 0)) / sqrt(n::numeric), 2) END,
           n, round(diary.confidence(n, diary.setting('confidence_full_n')), 2),
           round(rsx / rn, 2),
           CASE WHEN rn > 1 THEN round(sqrt(greatest((rsxx - rsx * rsx / rn) / (rn - 1), 0)) / sqrt(rn::numeric), 2) END,
           rn
    FROM rolling ORDER BY day
$$;
COMMENT ON FUNCTION api.route_trend(uuid, integer) IS
    'Per UTC day over the last 180 days: mean rating of the route''s segments (ratings and votes), std_error = stddev / √n, n_samples, confidence = min(1, n/10), and the same pooled over a rolling window_days (default 30).';

CREATE FUNCTION api.route_tags(route_id uuid, top_n integer DEFAULT 5)
RETURNS TABLE (tag text, count bigint, percentage numeric)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH rated AS (
        SELECT r.tags FROM diary.ratings r
        WHERE r.segment_id = ANY (diary.visible_route_segments(route_tags.route_id)) AND r.status = 'accepted'
          AND r.submitted_at > now() - make_interval(days => diary.setting('window_days')::integer)
    ),
    total AS (SELECT count(*) AS n FROM rated)
    SELECT t.tag, count(*), diary.percentage(count(*), (SELECT n FROM total))
    FROM rated CROSS JOIN unnest(rated.tags) AS t(tag)
    GROUP BY t.tag
    ORDER BY count(*) DESC, t.tag
    LIMIT diary.check_between('top_n', route_tags.top_n, 1, 12)
$$;
COMMENT ON FUNCTION api.route_tags(uuid, integer) IS
    'The route''s top_n tags (default 5) over 180 days with their count and percentage of the route''s ratings (one decimal).';

CREATE FUNCTION api.coverage(bbox text, grid_size numeric DEFAULT 50)
RETURNS TABLE (cell_x integer, cell_y integer, center_lng double precision, center_lat double precision,
               segment_count bigint, mean_confidence numeric, total_samples bigint)
-- No JIT: the cell series inflate the estimate, and compiling costs seconds on a millisecond query.
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public SET jit = off AS $$
    WITH box AS (
        SELECT e, ST_XMin(e) AS x0, ST_YMin(e) AS y0, ST_XMax(e) AS x1, ST_YMax(e) AS y1,
               diary.check_between('grid_size', coverage.grid_size, 10, 1000) / 111320.0 AS dy,
               coverage.grid_size / (111320.0 * cos(radians((ST_YMin(e) + ST_YMax(e)) / 2))) AS dx
        FROM (SELECT diary.bbox_envelope(coverage.bbox) AS e) b
        WHERE ST_Area(e::geography) <= diary.setting('coverage_max_km2') * 1e6
           OR diary.invalid('bbox', format('at most %s km²', diary.setting('coverage_max_km2'))) IS NOT NULL
    ),
    segs AS (
        SELECT s.segment_id, s.geometry,
               coalesce(ss.sum_w * diary.decay_weight(extract(epoch FROM now() - ss.ref_at) / 86400,
                                                       diary.setting('decay_half_life_days')), 0) AS n_eff,
               coalesce(ss.n_samples, 0) AS n_samples
        FROM diary.segments s CROSS JOIN box
        LEFT JOIN analytics.segment_sums ss ON ss.segment_id = s.segment_id
        WHERE s.geometry && box.e
    ),
    cells AS (
        SELECT s.segment_id, s.n_eff, s.n_samples, x, y
        FROM segs s CROSS JOIN box
        CROSS JOIN generate_series(greatest(0, floor((ST_XMin(s.geometry) - box.x0) / box.dx))::integer,
                                   least(ceil((box.x1 - box.x0) / box.dx) - 1, floor((ST_XMax(s.geometry) - box.x0) / box.dx))::integer) x
        CROSS JOIN generate_series(greatest(0, floor((ST_YMin(s.geometry) - box.y0) / box.dy))::integer,
                                   least(ceil((box.y1 - box.y0) / box.dy) - 1, floor((ST_YMax(s.geometry) - box.y0) / box.dy))::integer) y
        WHERE ST_Intersects(s.geometry, ST_MakeEnvelope(box.x0 + x * box.dx, box.y0 + y * box.dy,
                                                        box.x0 + (x + 1) * box.dx, box.y0 + (y + 1) * box.dy, 4326))
    )
    SELECT c.x, c.y, box.x0 + (c.x + 0.5) * box.dx, box.y0 + (c.y + 0.5) * box.dy,
           count(*), round(diary.confidence(avg(c.n_eff)::numeric, diary.setting('confidence_full_n')), 2),
           sum(c.n_samples)::bigint
    FROM cells c CROSS JOIN box
    GROUP BY c.x, c.y, box.x0, box.y0, box.dx, box.dy
    ORDER BY c.y, c.x
$$;
COMMENT ON FUNCTION api.coverage(text, numeric) IS
    'Coverage heat map: square cells of grid_size metres (default 50, 10..1000) over bbox "west,south,east,north" (at most 100 km²); only cells touching segments, each with its centre, segment count, mean confidence min(1, mean n_eff / 10) and total samples.';

INSERT INTO diary.settings (key, value, description) VALUES
    ('coverage_max_km2', 100, 'Largest bbox the coverage heat map accepts, km²');

COMMIT;
