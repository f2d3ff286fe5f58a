-- Deploy trafficsafety:tsi/assignment to pg
-- Which intersection a message belongs to (reference §2), for landing and for messages that
-- landed before their intersection was known.
BEGIN;
SET LOCAL ROLE tsdb_owner;

-- Assignment rule (reference §2): the nearest intersection whose reference point lies within
-- the radius, by WGS84 distance in metres (ST_Distance on the geography; ties go to the lower
-- id). Set-based, because a geography index probe per message cost about 70 µs, most of the
-- time of landing: positions and intersections meet by a hash join on grid cells instead, and the
-- exact distance is computed for the few candidates only.
CREATE FUNCTION tsi.nearest_intersections(latitudes double precision[], longitudes double precision[],
                                          radii_m double precision[])
RETURNS TABLE (ord bigint, intersection_id integer)
LANGUAGE sql STABLE PARALLEL SAFE
-- The planner cannot see how many positions the arrays hold: without this it computes the
-- distance of every position to every intersection before joining on the cells.
SET enable_nestloop = off
AS $$
    WITH p AS MATERIALIZED (
        SELECT u.ord, u.lat, u.lon, u.radius
        FROM unnest(latitudes, longitudes, radii_m) WITH ORDINALITY AS u (lat, lon, radius, ord)
        WHERE u.lat BETWEEN -90 AND 90 AND u.lon BETWEEN -180 AND 180 AND u.radius > 0
    ), grid AS MATERIALIZED (
        -- Cells of at least 0.01° and at least twice the largest radius (in degrees of latitude),
        -- so that an intersection's radius box touches a few cells only.
        SELECT max(radius) AS r, greatest(0.01, max(radius) / 55000) AS s FROM p
    ), cells AS MATERIALIZED (
        -- Every cell the radius box of an intersection touches. A degree of latitude is at least
        -- 110 574 m, one of longitude at least 111 319·cos(latitude) m: the boxes are conservative.
        SELECT i.id, i.geometry::geography AS g, y AS cy, x AS cx
        FROM tsi.intersections AS i
        CROSS JOIN grid
        CROSS JOIN LATERAL (SELECT grid.r / 110000 AS dlat) AS b
        CROSS JOIN LATERAL (SELECT least(grid.r / (111000 * cos(radians(least(abs(i.latitude) + b.dlat, 89.9)))), 360) AS dlon) AS c
        CROSS JOIN LATERAL generate_series(floor((i.latitude - b.dlat) / grid.s)::integer,
                                           floor((i.latitude + b.dlat) / grid.s)::integer) AS y
        CROSS JOIN LATERAL generate_series(floor((i.longitude - c.dlon) / grid.s)::integer,
                                           floor((i.longitude + c.dlon) / grid.s)::integer) AS x
    ), candidates AS MATERIALIZED (
        SELECT p.ord, p.radius, c.id, ST_Distance(c.g, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography) AS d
        FROM p
        CROSS JOIN grid
        JOIN cells AS c ON c.cy = floor(p.lat / grid.s)::integer AND c.cx = floor(p.lon / grid.s)::integer
    )
    SELECT DISTINCT ON (ord) ord, id
    FROM candidates
    WHERE d <= radius
    ORDER BY ord, d, id
$$;
COMMENT ON FUNCTION tsi.nearest_intersections(double precision[], double precision[], double precision[]) IS
    'For positions given as parallel arrays (degrees, and a radius in metres each): the 1-based position number and the nearest intersection whose reference point lies within the radius (WGS84 distance; ties to the lower id). Positions near no intersection are left out.';

CREATE FUNCTION tsi.nearest_intersection(latitude double precision, longitude double precision, radius_m double precision)
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
    SELECT n.intersection_id FROM tsi.nearest_intersections(ARRAY[latitude], ARRAY[longitude], ARRAY[radius_m]) AS n
$$;
COMMENT ON FUNCTION tsi.nearest_intersection(double precision, double precision, double precision) IS
    'The intersection whose reference point is nearest to a position (WGS84 metres), if one lies within radius_m; else NULL.';

-- Messages that landed near no intersection get one once it is known (MapData arrived late),
-- and their minutes are queued for processing.
CREATE FUNCTION tsi.assign_unassigned(from_ts timestamptz, to_ts timestamptz, near integer[] DEFAULT NULL,
                                      mark_pending boolean DEFAULT true)
RETURNS integer
LANGUAGE plpgsql
SET TimeZone = 'UTC'
AS $$
DECLARE
    raw record;
    assigned integer := 0;
    n integer;
BEGIN
    FOR raw IN SELECT * FROM (VALUES ('tsi.bsm_messages', 'vehicle_id'), ('tsi.psm_messages', 'psm_id')) AS t (tab, obj) LOOP
        EXECUTE format($sql$
            WITH radii AS MATERIALIZED (  -- once, then looked up per row
                SELECT effective_from, effective_until, assignment_radius_m FROM tsi.formula_periods
            ), todo AS MATERIALIZED (
                SELECT row_number() OVER () AS ord, m.ts_second, m.%2$I AS obj, m.msg_cnt, m.sec_mark,
                       m.latitude, m.longitude,
                       (SELECT r.assignment_radius_m FROM radii AS r
                        WHERE m.ts >= r.effective_from AND m.ts < r.effective_until) AS radius
                FROM %1$s AS m
                WHERE m.ts_second >= $1 AND m.ts_second < $2 AND m.intersection_id IS NULL
                  AND ($3 IS NULL OR EXISTS (   -- near one of the given intersections (about 1 km)
                      SELECT FROM tsi.intersections AS i
                      WHERE i.id = ANY ($3)
                        AND m.latitude BETWEEN i.latitude - 0.01 AND i.latitude + 0.01
                        AND m.longitude BETWEEN i.longitude - 0.015 AND i.longitude + 0.015))
            ), found AS (
                SELECT t.ts_second, t.obj, t.msg_cnt, t.sec_mark, n.intersection_id
                FROM tsi.nearest_intersections((SELECT array_agg(latitude ORDER BY ord) FROM todo),
                                               (SELECT array_agg(longitude ORDER BY ord) FROM todo),
                                               (SELECT array_agg(radius ORDER BY ord) FROM todo)) AS n
                JOIN todo AS t USING (ord)
            ), moved AS (
                UPDATE %1$s AS m SET intersection_id = f.intersection_id
                FROM found AS f
                WHERE (m.ts_second, m.%2$I, m.msg_cnt, m.sec_mark) = (f.ts_second, f.obj, f.msg_cnt, f.sec_mark)
                RETURNING m.ts
            ), pending AS (
                INSERT INTO tsi.pending_minutes (minute)
                SELECT DISTINCT date_trunc('minute', ts) FROM moved WHERE $4
                ORDER BY 1
                ON CONFLICT (minute) DO UPDATE SET mark = nextval('tsi.pending_mark_seq')
            )
            SELECT count(*) FROM moved $sql$, raw.tab, raw.obj)
        INTO n USING from_ts, to_ts, near, mark_pending;
        assigned := assigned + n;
    END LOOP;
    RETURN assigned;
END
$$;
COMMENT ON FUNCTION tsi.assign_unassigned(timestamptz, timestamptz, integer[], boolean) IS
    'Assigns landed messages of [from_ts, to_ts) that have no intersection yet (optionally only those near the given intersections) to the nearest one within the radius, and queues their minutes for processing; returns how many were assigned.';

COMMIT;
