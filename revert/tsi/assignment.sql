-- Revert trafficsafety:tsi/assignment from pg
-- Back to release 1.0 (tsi/assignment@v1.0.0): tsi.nearest_intersections as released.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION tsi.nearest_intersections(latitudes double precision[], longitudes double precision[],
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

COMMIT;
