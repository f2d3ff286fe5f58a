-- The OpenAPI document (api.openapi(), served at the root by db-root-spec) as a client generator
-- reads it: every api function's parameters described, the required ones marked, geometry typed
-- as GeoJSON, every answer with a schema, and only what the caller's role may use.
BEGIN;
SELECT plan(12);

-- As the owner the document lists every view and function of the api schema.
SET LOCAL ROLE tsdb_owner;
CREATE TEMP TABLE doc AS SELECT api.openapi()::jsonb AS d;
RESET ROLE;

SELECT is((SELECT d ->> 'swagger' FROM doc), '2.0', 'an OpenAPI 2.0 document');
SELECT set_eq(
    $$ SELECT substr(path, 6) FROM doc, jsonb_object_keys(d -> 'paths') AS path WHERE path LIKE '/rpc/%' $$,
    $$ SELECT proname::text FROM pg_proc WHERE pronamespace = 'api'::regnamespace AND proname <> 'openapi' $$,
    'every api function is a path /rpc/NAME');
SELECT set_eq(
    $$ SELECT substr(path, 2) FROM doc, jsonb_object_keys(d -> 'paths') AS path WHERE path NOT LIKE '/rpc/%' $$,
    $$ SELECT relname::text FROM pg_class WHERE relnamespace = 'api'::regnamespace AND relkind IN ('v', 'm') $$,
    'every api view is a path');

-- The parameters of every function, in the POST body schema and as GET query parameters
CREATE TEMP TABLE body_params AS
SELECT substr(path, 6) AS fn, prop.key AS param, prop.value AS schema,
       coalesce(op -> 'parameters' -> 0 -> 'schema' -> 'required', '[]') ? prop.key AS required
FROM doc, jsonb_each(d -> 'paths') AS p(path, item), LATERAL (SELECT item -> 'post') AS o(op),
     jsonb_each(op -> 'parameters' -> 0 -> 'schema' -> 'properties') AS prop
WHERE path LIKE '/rpc/%';
SELECT set_eq(
    $$ SELECT fn, param FROM body_params $$,
    $$ SELECT p.proname::text, a.name FROM pg_proc AS p,
              unnest(p.proargnames, coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs]))) AS a(name, mode)
       WHERE p.pronamespace = 'api'::regnamespace AND p.proname <> 'openapi' AND a.mode IN ('i', 'b') $$,
    'the body schema of each function has exactly its input parameters');
SELECT is_empty(
    $$ SELECT fn, param FROM body_params WHERE coalesce(schema ->> 'description', '') = '' $$,
    'every parameter of every api function has a description (add it to param_docs in deploy/api/openapi.sql)');
SELECT set_eq(
    $$ SELECT param FROM body_params WHERE fn = 'intersection_history' AND required $$,
    ARRAY['intersection_id', 'start_time', 'end_time'],
    'a parameter given DEFAULT NULL only to answer 400 naming it is marked required; an optional one is not');
SELECT ok((SELECT bool_and(required) FROM body_params WHERE fn IN ('log_in', 'submit_vote') AND param IN ('email', 'password', 'segment_id', 'action')),
          'a parameter without a default is required');
SELECT is(
    (SELECT jsonb_agg(q ORDER BY q ->> 'name') FROM doc, jsonb_array_elements(d -> 'paths' -> '/rpc/intersections_near' -> 'get' -> 'parameters') AS q),
    '[{"in": "query", "name": "latitude", "type": "number", "format": "double", "required": true, "description": "Latitude of the point, degrees WGS84 (−90–90)."},
      {"in": "query", "name": "longitude", "type": "number", "format": "double", "required": true, "description": "Longitude of the point, degrees WGS84 (−180–180)."},
      {"in": "query", "name": "radius_m", "type": "number", "format": "double", "required": false, "description": "Search radius in metres, 100–50000 (default 5000)."}]'::jsonb,
    'a read-only function is also a GET with typed query parameters');
SELECT is_empty(
    $$ SELECT path FROM doc, jsonb_each(d -> 'paths') AS p(path, item), jsonb_each(item) AS m(method, op)
       WHERE op -> 'responses' -> '200' -> 'schema' IS NULL AND op -> 'responses' -> '201' IS NULL AND op -> 'responses' -> '204' IS NULL $$,
    'every operation documents the shape of its answer');

-- geometry is a GeoJSON object, not a string
SELECT is((SELECT d -> 'definitions' -> 'intersections' -> 'properties' -> 'geometry' FROM doc),
          '{"$ref": "#/definitions/GeoJSONGeometry"}', 'a geometry column is typed as a GeoJSON geometry');
SELECT is((SELECT d -> 'paths' -> '/rpc/segments' -> 'get' -> 'responses' -> '200' -> 'schema' -> 'items' -> 'properties' -> 'geometry' FROM doc),
          '{"$ref": "#/definitions/GeoJSONGeometry"}', 'so is a geometry in an RPC answer');

-- Anonymously: the reads and sign-up/log-in, not the writes (follow-privileges)
SELECT tests.act_as_anon();
SELECT is_empty(
    $$ SELECT path FROM jsonb_object_keys(api.openapi()::jsonb -> 'paths') AS path
       WHERE path IN ('/rpc/submit_rating', '/rpc/submit_trip', '/rpc/route', '/rpc/delete_account', '/my_ratings') $$,
    'anonymously the document lists no write endpoint');

SELECT * FROM finish();
ROLLBACK;
