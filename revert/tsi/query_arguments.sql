-- Revert trafficsafety:tsi/query_arguments from pg
BEGIN;

DROP FUNCTION tsi.route_line(jsonb, jsonb);
DROP FUNCTION tsi.geojson_geometry(jsonb, text, text[]);
DROP FUNCTION tsi.range_problem(text, double precision, double precision, double precision);
DROP FUNCTION tsi.check_argument(text, text);

COMMIT;
