-- Verify trafficsafety:core/extensions on pg
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(name, ', ') INTO missing
    FROM unnest(ARRAY['postgis', 'pg_cron', 'pgcrypto', 'btree_gist', 'pg_trgm', 'pgrouting']) AS name
    WHERE NOT EXISTS (SELECT FROM pg_extension WHERE extname = name);
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'missing extensions: %', missing;
    END IF;
END
$$;
