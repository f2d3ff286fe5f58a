-- Deploy trafficsafety:ops/business_metrics to pg
-- Business metrics of design document §9.1: intersections tracked, data completeness (minutes
-- with data of the last hour / minutes expected), the index distribution by risk band and the
-- high-risk intersections now (from the current-status snapshot the API serves).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION ops.intersection_status()
RETURNS TABLE (
    intersection_id integer, name text, safety_index double precision, high_risk integer,
    minutes_1h bigint, completeness_1h double precision, last_data_seconds double precision
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    -- The last 60 complete minutes of the clock: a minute still being received does not count.
    WITH w AS (SELECT date_trunc('minute', now()) - interval '60 minutes' AS since, date_trunc('minute', now()) AS until)
    SELECT i.id, i.name::text, s.safety_index, (s.risk_band = 'high')::integer,
           f.minutes, f.minutes / 60.0::float8,
           extract(epoch FROM s.last_updated)::float8
    FROM tsi.intersections AS i
    LEFT JOIN tsi.mv_current_safety_status AS s ON s.intersection_id = i.id
    CROSS JOIN w
    CROSS JOIN LATERAL (SELECT count(*) AS minutes FROM tsi.features_minute AS m
                        WHERE m.intersection_id = i.id AND m.minute >= w.since AND m.minute < w.until) AS f
$$;
COMMENT ON FUNCTION ops.intersection_status() IS
    'Each intersection: its latest safety index and whether it is high-risk (1) in the current-status snapshot, the minutes with data among '
    'the last 60 complete minutes and their share (completeness, 0–1), and its newest minute with an index (Unix seconds).';

CREATE FUNCTION ops.business_status()
RETURNS TABLE (
    intersections_tracked bigint, intersections_with_data_1h bigint, completeness_1h double precision,
    high_risk_intersections bigint, snapshot_newest_seconds double precision
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT count(*), count(*) FILTER (WHERE s.minutes_1h > 0),
           coalesce(avg(s.completeness_1h), 0)::float8,
           count(*) FILTER (WHERE s.high_risk = 1),
           max(s.last_data_seconds)
    FROM ops.intersection_status() AS s
$$;
COMMENT ON FUNCTION ops.business_status() IS
    'One row: intersections tracked, those with data in the last 60 complete minutes, the network''s completeness (minutes with data / '
    'minutes expected of every intersection, 0–1), high-risk intersections now, and the snapshot''s newest minute (Unix seconds).';

CREATE FUNCTION ops.risk_bands()
RETURNS TABLE (risk_band text, intersections bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT b.band, count(s.intersection_id)
    FROM (VALUES ('low'), ('medium'), ('high'), ('none')) AS b (band)
    LEFT JOIN tsi.mv_current_safety_status AS s ON coalesce(s.risk_band, 'none') = b.band
    GROUP BY b.band
$$;
COMMENT ON FUNCTION ops.risk_bands() IS
    'Intersections by the risk band of their latest index (low, medium, high; none without data), every band listed even when empty.';

COMMIT;
