-- Deploy trafficsafety:tsi/assignment to pg
-- tsi.nearest_intersections of no positions makes no grid cells. The grid of an empty call has
-- no radius, least() skipped it, and every intersection got a band of cells around the globe:
-- 3 s per call with 100 intersections, paid by every MapData batch that added one (its
-- assign_unassigned usually finds nothing to assign).
-- And the exact WGS84 distance is computed only where the great-circle distance cannot decide
-- (make bench: the exact distance of every candidate was about a tenth of a typed landing).
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
        SELECT i.id, i.geometry::geography AS g, i.latitude AS lat, i.longitude AS lon, y AS cy, x AS cx
        FROM tsi.intersections AS i
        CROSS JOIN grid
        CROSS JOIN LATERAL (SELECT grid.r / 110000 AS dlat) AS b
        CROSS JOIN LATERAL (SELECT least(grid.r / (111000 * cos(radians(least(abs(i.latitude) + b.dlat, 89.9)))), 360) AS dlon) AS c
        CROSS JOIN LATERAL generate_series(floor((i.latitude - b.dlat) / grid.s)::integer,
                                           floor((i.latitude + b.dlat) / grid.s)::integer) AS y
        CROSS JOIN LATERAL generate_series(floor((i.longitude - c.dlon) / grid.s)::integer,
                                           floor((i.longitude + c.dlon) / grid.s)::integer) AS x
        -- no positions: no cells (least() skips the NULL radius and made 72 001 cells a row)
        WHERE grid.r IS NOT NULL
    ), candidates AS MATERIALIZED (
        -- a: the great-circle distance on the mean sphere (haversine), within 0.7 % of the WGS84
        -- distance d anywhere (the spheroid's radii of curvature are 6 335–6 400 km)
        SELECT p.ord, p.lat, p.lon, p.radius, c.id, c.g,
               2 * 6371008.8 * asin(least(1, sqrt(sin(radians(p.lat - c.lat) / 2) ^ 2
                                              + cos(radians(p.lat)) * cos(radians(c.lat)) * sin(radians(p.lon - c.lon) / 2) ^ 2))) AS a
        FROM p
        CROSS JOIN grid
        JOIN cells AS c ON c.cy = floor(p.lat / grid.s)::integer AND c.cx = floor(p.lon / grid.s)::integer
    ), possible AS (
        -- a > radius / 0.99 means d > radius; n: how many intersections a position may be near
        SELECT c.*, count(*) OVER (PARTITION BY c.ord) AS n FROM candidates AS c WHERE c.a <= c.radius / 0.99
    )
    SELECT DISTINCT ON (ord) ord, id
    FROM (SELECT p.ord, p.id, p.radius,
                 -- the only one, and a <= 0.99·radius so d <= radius: nothing to compare
                 CASE WHEN p.n = 1 AND p.a <= p.radius * 0.99 THEN p.a
                      ELSE ST_Distance(p.g, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography) END AS d
          FROM possible AS p) AS x
    WHERE d <= radius
    ORDER BY ord, d, id
$$;
COMMENT ON FUNCTION tsi.nearest_intersections(double precision[], double precision[], double precision[]) IS
    'For positions given as parallel arrays (degrees, and a radius in metres each): the 1-based position number and the nearest intersection whose reference point lies within the radius (WGS84 distance; ties to the lower id). Positions near no intersection are left out.';

COMMIT;
