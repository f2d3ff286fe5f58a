-- Revert trafficsafety:tsi/index_functions from pg
-- Back to release 1.0 (tsi/index_functions@v1.0.0): tsi.clip_index as released.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE OR REPLACE FUNCTION tsi.clip_index(x float8)
RETURNS float8
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN x < 0 THEN 0 WHEN x > 100 THEN 100 ELSE x END
$$;

COMMENT ON FUNCTION tsi.clip_index(float8) IS
    'clip(x) = min(max(x, 0), 100): an index value clamped to [0, 100] (index points); NULL stays NULL.';

COMMIT;
