-- Verify trafficsafety:tsi/privileges on pg

-- The collector only lands messages: COPY into staging, CALL tsi.land_batch
DO $$
BEGIN
    IF NOT has_table_privilege('collector', 'tsi.message_staging', 'INSERT')
       OR NOT has_function_privilege('collector', 'tsi.land_batch(uuid, integer, integer, integer, integer, integer)', 'EXECUTE') THEN
        RAISE EXCEPTION 'the collector cannot land batches';
    END IF;
    IF NOT has_function_privilege('analyst', 'tsi.local_hour(timestamptz, text)', 'EXECUTE')
       OR NOT has_table_privilege('analyst', 'tsi.health', 'SELECT') THEN
        RAISE EXCEPTION 'analyst lacks the tsi read grants';
    END IF;
END
$$;

-- Analysts call the pure index functions and tsi.formula_at to explain and recompute indices
DO $$
DECLARE
    missing text;
BEGIN
    SELECT string_agg(f, ', ') INTO missing
    FROM unnest(ARRAY[
        'tsi.formula_at(timestamptz)',
        'tsi.positive_or_one(float8)',
        'tsi.norm_ratio(float8, float8)',
        'tsi.norm_constants_from_jsonb(jsonb)',
        'tsi.clip_index(float8)',
        'tsi.vru_index(tsi.window_features, tsi.norm_constants, tsi.formula_config)',
        'tsi.vehicle_index(tsi.window_features, tsi.norm_constants, tsi.formula_config)',
        'tsi.traffic_index(float8, float8, tsi.formula_config)',
        'tsi.weather_index(float8, float8, float8, float8, tsi.formula_config)',
        'tsi.combined_index(float8, float8, float8)',
        'tsi.eb_adjust(float8, float8, float8, float8)',
        'tsi.risk_band(float8, tsi.formula_config)'
    ]) AS f
    WHERE NOT has_function_privilege('analyst', f, 'execute');
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'analyst cannot execute %', missing;
    END IF;
END
$$;

-- Analysts call the query functions; one they call runs as the caller, so the helpers too
DO $$
DECLARE
    f text;
BEGIN
    FOREACH f IN ARRAY ARRAY[
        'tsi.check_argument(text, text)',
        'tsi.range_problem(text, double precision, double precision, double precision)',
        'tsi.geojson_geometry(jsonb, text, text[])',
        'tsi.route_line(jsonb, jsonb)',
        'tsi.latest_indices()',
        'tsi.intersection_history(integer, timestamptz, timestamptz, text)',
        'tsi.intersections_within(geography, double precision)',
        'tsi.intersections_near(double precision, double precision, double precision)',
        'tsi.intersections_along_route(jsonb, jsonb, double precision)',
        'tsi.intersections_in_polygon(jsonb)'
    ] LOOP
        IF NOT has_function_privilege('analyst', f, 'execute') THEN
            RAISE EXCEPTION 'analyst cannot execute %', f;
        END IF;
    END LOOP;
END
$$;
