-- Revert trafficsafety:tsi/privileges from pg
BEGIN;

-- Analysts call the query functions; one they call runs as the caller, so the helpers too
REVOKE EXECUTE ON FUNCTION
    tsi.check_argument(text, text),
    tsi.range_problem(text, double precision, double precision, double precision),
    tsi.geojson_geometry(jsonb, text, text[]),
    tsi.route_line(jsonb, jsonb),
    tsi.latest_indices(),
    tsi.intersection_history(integer, timestamptz, timestamptz, text),
    tsi.intersections_within(geography, double precision),
    tsi.intersections_near(double precision, double precision, double precision),
    tsi.intersections_along_route(jsonb, jsonb, double precision),
    tsi.intersections_in_polygon(jsonb)
FROM analyst;

-- Analysts call the pure index functions and tsi.formula_at to explain and recompute indices
REVOKE EXECUTE ON FUNCTION
    tsi.formula_at(timestamptz),
    tsi.positive_or_one(float8),
    tsi.norm_ratio(float8, float8),
    tsi.norm_constants_from_jsonb(jsonb),
    tsi.clip_index(float8),
    tsi.vru_index(tsi.window_features, tsi.norm_constants, tsi.formula_config),
    tsi.vehicle_index(tsi.window_features, tsi.norm_constants, tsi.formula_config),
    tsi.traffic_index(float8, float8, tsi.formula_config),
    tsi.weather_index(float8, float8, float8, float8, tsi.formula_config),
    tsi.combined_index(float8, float8, float8),
    tsi.eb_adjust(float8, float8, float8, float8),
    tsi.risk_band(float8, tsi.formula_config)
FROM analyst;

-- The collector only lands messages: COPY into staging, CALL tsi.land_batch
REVOKE EXECUTE ON FUNCTION
    tsi.json_number(jsonb), tsi.json_integer(jsonb), tsi.json_int4(jsonb), tsi.epoch_ms_to_timestamptz(bigint),
    tsi.read_v2x(text, jsonb, timestamptz), tsi.check_bsm(jsonb, timestamptz),
    tsi.check_psm(jsonb, timestamptz), tsi.check_mapdata(jsonb), tsi.check_spat(jsonb),
    tsi.spat_time(bigint, bigint, timestamptz),
    tsi.local_hour(timestamptz, text), tsi.local_day_of_week(timestamptz, text),
    tsi.window_features(timestamptz, timestamptz, integer),
    tsi.nearest_intersection(double precision, double precision, double precision),
    tsi.nearest_intersections(double precision[], double precision[], double precision[]),
    tsi.partition_name(regclass, date)
FROM analyst;
REVOKE EXECUTE ON PROCEDURE tsi.land_batch(uuid, integer, integer, integer, integer, integer) FROM collector;
REVOKE INSERT ON tsi.message_staging FROM collector;

COMMIT;
