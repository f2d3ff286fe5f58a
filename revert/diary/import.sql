-- Revert trafficsafety:diary/import from pg
-- Back to release 1.0 (diary/import@v1.0.0).
-- Segment import (seed §6.1, §8.1) from a GeoJSON FeatureCollection of LineStrings: every feature
-- is validated, good ones are upserted in one statement, a row is only rewritten when something
-- changed, so importing the same file again reports everything unchanged.
BEGIN;
SET LOCAL ROLE tsdb_owner;

DELETE FROM diary.settings WHERE key = 'segment_max_length_m';

CREATE OR REPLACE FUNCTION diary.import_segments(doc jsonb)
RETURNS TABLE (segment_id text, outcome text, reason text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    f     jsonb;
    i     integer := 0;
    g     geometry;
    sid   text;
    len   numeric;
    why   text;
BEGIN
    IF jsonb_typeof(doc) <> 'object' OR doc ->> 'type' IS DISTINCT FROM 'FeatureCollection'
       OR jsonb_typeof(doc -> 'features') IS DISTINCT FROM 'array' THEN
        PERFORM diary.invalid('file', 'must be a GeoJSON FeatureCollection');
    END IF;
    CREATE TEMP TABLE import_rows (ord integer, segment_id text PRIMARY KEY, street text, neighborhood text,
                                   length_m numeric, geometry geometry) ON COMMIT DROP;
    FOR f IN SELECT value FROM jsonb_array_elements(doc -> 'features') LOOP
        i := i + 1;
        sid := f -> 'properties' ->> 'segment_id';
        why := NULL;
        g := NULL;
        len := NULL;
        IF f -> 'geometry' ->> 'type' IS DISTINCT FROM 'LineString' THEN
            why := 'geometry: must be a LineString';
        ELSE
            BEGIN
                g := ST_SetSRID(ST_GeomFromGeoJSON(f -> 'geometry'), 4326);
            EXCEPTION WHEN OTHERS THEN
                why := 'geometry: not valid GeoJSON';
            END;
        END IF;
        IF why IS NULL AND (ST_NPoints(g) < 2 OR ST_XMin(g) < -180 OR ST_XMax(g) > 180 OR ST_YMin(g) < -90 OR ST_YMax(g) > 90) THEN
            why := 'geometry: at least two points of WGS84 longitude, latitude';
        END IF;
        IF why IS NULL AND (sid IS NULL OR btrim(sid) = '' OR length(sid) > 50) THEN
            why := 'segment_id: required, at most 50 characters';
        ELSIF why IS NULL AND (btrim(coalesce(f -> 'properties' ->> 'street', '')) = '' OR length(f -> 'properties' ->> 'street') > 200) THEN
            why := 'street: required, at most 200 characters';
        ELSIF why IS NULL AND length(f -> 'properties' ->> 'neighborhood') > 100 THEN
            why := 'neighborhood: at most 100 characters';
        ELSIF why IS NULL AND f -> 'properties' ? 'length_m' AND jsonb_typeof(f -> 'properties' -> 'length_m') <> 'null' THEN
            IF jsonb_typeof(f -> 'properties' -> 'length_m') <> 'number'
               OR (f -> 'properties' ->> 'length_m')::numeric NOT BETWEEN 0.01 AND 999999 THEN
                why := 'length_m: must be a positive number of metres below 1 000 000';
            ELSE
                len := round((f -> 'properties' ->> 'length_m')::numeric, 2);
            END IF;
        END IF;
        IF why IS NULL AND len IS NULL THEN
            len := round(ST_Length(g::geography)::numeric, 2);
            IF len <= 0 THEN
                why := 'geometry: has zero length';
            END IF;
        END IF;
        IF why IS NULL AND EXISTS (SELECT FROM import_rows r WHERE r.segment_id = sid) THEN
            why := 'segment_id: appears more than once in the file';
        END IF;
        IF why IS NOT NULL THEN
            segment_id := coalesce(sid, format('feature %s', i));
            outcome := 'rejected';
            reason := why;
            RETURN NEXT;
        ELSE
            INSERT INTO import_rows VALUES (i, sid, btrim(f -> 'properties' ->> 'street'),
                                            nullif(btrim(f -> 'properties' ->> 'neighborhood'), ''), len, g);
        END IF;
    END LOOP;

    RETURN QUERY
    WITH up AS (
        INSERT INTO diary.segments AS s (segment_id, street, neighborhood, length_m, geometry)
        SELECT r.segment_id, r.street, r.neighborhood, r.length_m, r.geometry FROM import_rows r ORDER BY r.ord
        ON CONFLICT ON CONSTRAINT segments_pkey DO UPDATE
        SET street = EXCLUDED.street, neighborhood = EXCLUDED.neighborhood,
            length_m = EXCLUDED.length_m, geometry = EXCLUDED.geometry
        WHERE (s.street, s.neighborhood, s.length_m, ST_AsBinary(s.geometry))
              IS DISTINCT FROM (EXCLUDED.street, EXCLUDED.neighborhood, EXCLUDED.length_m, ST_AsBinary(EXCLUDED.geometry))
        RETURNING s.segment_id, (s.xmax = 0) AS inserted
    )
    SELECT r.segment_id, CASE WHEN up.segment_id IS NULL THEN 'unchanged' WHEN up.inserted THEN 'inserted' ELSE 'updated' END,
           NULL::text
    FROM import_rows r LEFT JOIN up ON up.segment_id = r.segment_id
    ORDER BY r.ord;
    DROP TABLE import_rows;
END
$$;
COMMENT ON FUNCTION diary.import_segments(jsonb) IS
    'Upserts the LineString features (segment_id, street, optional neighborhood and length_m) of a GeoJSON FeatureCollection; one row per feature: inserted, updated, unchanged or rejected with the reason.';

COMMIT;
