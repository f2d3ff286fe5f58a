-- Deploy trafficsafety:tsi/index_functions to pg
-- Rework of release 1.0 (index_functions@v1.0.0.sql keeps the other functions of this change):
-- tsi.clip_index names its argument once, with the strict built-ins float8larger/float8smaller,
-- so the planner inlines it into the index formulas. The CASE of 1.0 read it three times, and an
-- expression argument read more than once keeps a SQL function from being inlined: scoring
-- called it 8 times per minute row (a day of 1 000 intersections: 11.5 million calls).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION tsi.clip_index(x float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT float8smaller(float8larger(x, 0), 100)
$$;

COMMENT ON FUNCTION tsi.clip_index(float8) IS
    'clip(x) = min(max(x, 0), 100): an index value clamped to [0, 100] (index points); NULL stays NULL, NaN becomes 100.';

COMMIT;
