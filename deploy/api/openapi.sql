-- Deploy trafficsafety:api/openapi to pg
-- The API's OpenAPI 2.0 document, served by PostgREST at the root (db-root-spec = "openapi") in
-- place of the one PostgREST 12 generates, which a client generator cannot use: it types geometry
-- as a string, gives RPC parameters no description and marks them all optional (every api
-- function declares its arguments DEFAULT NULL, so that a missing one answers 400 naming it), and
-- gives RPC answers no schema. Built from the catalog at request time, so it follows the api
-- schema as it is; like PostgREST's openapi-mode follow-privileges it lists only what the
-- caller's role may use (anonymously the reads and sign-up/log-in, with a token the writes too).
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE FUNCTION api.openapi()
RETURNS json
LANGUAGE sql
STABLE
AS $$
WITH
-- What a parameter means and whether it is required, for every parameter of every api function
-- (PostgreSQL has no comments on function parameters). pgTAP 303 fails when one is missing.
param_docs (fn, param, required, description) AS (VALUES
    ('coverage', 'bbox', true, 'Box "west,south,east,north" in degrees WGS84, at most 100 km².'),
    ('coverage', 'grid_size', false, 'Cell size in metres, 10–1000 (default 50).'),
    ('create_route', 'route_name', true, 'Name of the route, 1–100 characters.'),
    ('create_route', 'segment_ids', true, 'Segment ids in travel order, each connected to the next.'),
    ('create_route', 'is_public', false, 'Whether others may see the route (default false).'),
    ('delete_route', 'route_id', true, 'Id of one of your routes.'),
    ('intersection_history', 'intersection_id', true, 'Intersection id (as in /intersections).'),
    ('intersection_history', 'start_time', true, 'Start of the range, included (ISO 8601 time).'),
    ('intersection_history', 'end_time', true, 'End of the range, excluded (ISO 8601 time), after start_time.'),
    ('intersection_history', 'aggregation', false, 'minute, hour or day; omitted, chosen by the length of the range.'),
    ('intersections_along_route', 'waypoints', false, 'JSON array of at least 2 [lat, lon] pairs (latitude first); give this or route_geojson.'),
    ('intersections_along_route', 'route_geojson', false, 'GeoJSON LineString, coordinates [lon, lat]; give this or waypoints.'),
    ('intersections_along_route', 'buffer_m', false, 'Distance from the route in metres, 10–5000 (default 500).'),
    ('intersections_in_polygon', 'polygon_geojson', true, 'GeoJSON Polygon or MultiPolygon, coordinates [lon, lat] WGS84.'),
    ('intersections_near', 'latitude', true, 'Latitude of the point, degrees WGS84 (−90–90).'),
    ('intersections_near', 'longitude', true, 'Longitude of the point, degrees WGS84 (−180–180).'),
    ('intersections_near', 'radius_m', false, 'Search radius in metres, 100–50000 (default 5000).'),
    ('legacy_intersections_nearby', 'lat', true, 'Latitude, degrees (−90–90).'),
    ('legacy_intersections_nearby', 'lon', true, 'Longitude, degrees (−180–180).'),
    ('legacy_intersections_nearby', 'radius', false, 'Radius in metres, integer 100–50000 (default 5000).'),
    ('legacy_intersections_route', 'waypoints', true, 'Waypoints [(lat,lon),…] or [[lat,lon],…], at least 2.'),
    ('legacy_intersections_route', 'buffer', false, 'Buffer in metres, integer 10–5000 (default 500).'),
    ('legacy_safety_history', 'intersection_id', true, 'Intersection id (integer).'),
    ('legacy_safety_history', 'days', false, 'Days up to the newest data, 1–365 (default 7).'),
    ('legacy_safety_history', 'start_date', false, 'First local day, YYYY-MM-DD (instead of days).'),
    ('legacy_safety_history', 'end_date', false, 'Last local day, YYYY-MM-DD, included (default today).'),
    ('legacy_safety_history', 'aggregation', false, '1min, 1hour, 1day, 1week, 1month (or minute, hour, day, week, month).'),
    ('legacy_safety_history_all', 'days', false, 'Days up to the newest data, 1–30 (default 7).'),
    ('legacy_safety_history_all', 'start_date', false, 'First local day, YYYY-MM-DD (instead of days).'),
    ('legacy_safety_history_all', 'end_date', false, 'Last local day, YYYY-MM-DD, included (default today).'),
    ('legacy_safety_history_all', 'aggregation', false, '1min, 1hour, 1day, 1week, 1month (or minute, hour, day, week, month).'),
    ('legacy_safety_index_one', 'intersection_id', true, 'Intersection id (integer).'),
    ('legacy_safety_stats', 'intersection_id', true, 'Intersection id (integer).'),
    ('legacy_safety_stats', 'days', false, 'Days up to the newest data, 1–365 (default 7).'),
    ('legacy_safety_stats', 'start_date', false, 'First local day, YYYY-MM-DD (instead of days).'),
    ('legacy_safety_stats', 'end_date', false, 'Last local day, YYYY-MM-DD, included (default today).'),
    ('log_in', 'email', true, 'E-mail address of the account (case-insensitive).'),
    ('log_in', 'password', true, 'Password of the account.'),
    ('rename_route', 'route_id', true, 'Id of one of your routes.'),
    ('rename_route', 'route_name', true, 'New name, 1–100 characters.'),
    ('route', 'origin', true, 'Start [lng, lat], degrees WGS84.'),
    ('route', 'destination', true, 'End [lng, lat], degrees WGS84, at most 10 km from origin.'),
    ('route', 'mode', false, 'optimal, balanced (default) or safest.'),
    ('route', 'safety_weight', false, 'Weight of safety against length in [0, 1]; overrides mode.'),
    ('route', 'include_alternative', false, 'Also return an alternative route when one differs enough (default true).'),
    ('route_tags', 'route_id', true, 'Id of a public route or one of yours.'),
    ('route_tags', 'top_n', false, 'How many tags, 1–20 (default 5).'),
    ('route_trend', 'route_id', true, 'Id of a public route or one of yours.'),
    ('route_trend', 'window_days', false, 'Days of the rolling window, 1–180 (default 30).'),
    ('segments', 'bbox', true, 'Box "west,south,east,north" in degrees WGS84.'),
    ('segments', 'min_confidence', false, 'Only segments with at least this confidence, 0–1 (default 0).'),
    ('segments', 'updated_after', false, 'Only segments whose score changed after this time (ISO 8601).'),
    ('sign_up', 'email', true, 'E-mail address, unique (case-insensitive).'),
    ('sign_up', 'password', true, 'Password of at least 10 characters.'),
    ('sign_up', 'display_name', false, 'Name shown to others (default: none).'),
    ('submit_rating', 'segment_id', true, 'Id of the segment rated.'),
    ('submit_rating', 'rating', true, '1 (unsafe) to 5 (safe).'),
    ('submit_rating', 'tags', false, 'Up to 5 tags of /diary_tags.'),
    ('submit_rating', 'comment', false, 'Free text, at most 500 characters.'),
    ('submit_rating', 'rating_id', false, 'Your own id for the rating: a retry with it returns the existing rating.'),
    ('submit_rating', 'submitted_at', false, 'When you rated (ISO 8601, at most 24 h ago; default now). Limits count the time the rating arrived.'),
    ('submit_rating', 'device', false, 'Device or app that sent the rating.'),
    ('submit_rating', 'source', false, 'manual (default), trip or import.'),
    ('submit_rating', 'route_id', false, 'Route the rating was made on.'),
    ('submit_trip', 'submission_id', true, 'Your id for the trip: a retry with it returns the existing ratings.'),
    ('submit_trip', 'segment_ids', true, 'Segments travelled, in order.'),
    ('submit_trip', 'rating', true, 'Overall rating 1 (unsafe) to 5 (safe).'),
    ('submit_trip', 'tags', false, 'Up to 5 tags of /diary_tags for every segment.'),
    ('submit_trip', 'comment', false, 'Free text, at most 500 characters.'),
    ('submit_trip', 'overrides', false, 'Up to 2 [{"segment_id", "rating"}] rated apart from the overall rating.'),
    ('submit_trip', 'submitted_at', false, 'When you travelled (ISO 8601, at most 24 h ago; default now).'),
    ('submit_trip', 'device', false, 'Device or app that sent the trip.'),
    ('submit_trip', 'route_id', false, 'Route travelled.'),
    ('submit_vote', 'segment_id', true, 'Id of the segment.'),
    ('submit_vote', 'action', true, 'agree or safer.'),
    ('submit_vote', 'vote_id', false, 'Your own id for the vote: a retry with it returns the existing vote.')
),
-- The shapes of the JSON objects the write and health functions answer.
result_docs (fn, schema) AS (VALUES
    ('health', '{"type": "object", "properties": {"status": {"type": "string"}, "database": {"type": "string"},
                 "server_time": {"type": "string", "format": "date-time"}, "postgres_version": {"type": "string"}, "postgis_version": {"type": "string"}}}'::jsonb),
    ('sign_up', '{"$ref": "#/definitions/Session"}'),
    ('log_in', '{"$ref": "#/definitions/Session"}'),
    ('submit_trip', '{"type": "object", "properties": {"submission_id": {"type": "string", "format": "uuid"}, "created": {"type": "boolean"},
                      "ratings": {"type": "array", "items": {"type": "object", "properties": {"rating_id": {"type": "string", "format": "uuid"},
                                  "segment_id": {"type": "string"}, "rating": {"type": "integer"}}}}}}'),
    ('delete_route', '{"type": "object", "properties": {"deleted": {"type": "boolean"}}}')
),
-- A PostgreSQL type as a JSON schema.
types (oid, schema) AS (
    SELECT t.oid,
           CASE
               WHEN t.typname IN ('int2', 'int4') THEN '{"type": "integer", "format": "int32"}'::jsonb
               WHEN t.typname = 'int8' THEN '{"type": "integer", "format": "int64"}'
               WHEN t.typname IN ('float4', 'float8') THEN '{"type": "number", "format": "double"}'
               WHEN t.typname = 'numeric' THEN '{"type": "number"}'
               WHEN t.typname = 'bool' THEN '{"type": "boolean"}'
               WHEN t.typname = 'uuid' THEN '{"type": "string", "format": "uuid"}'
               WHEN t.typname = 'timestamptz' THEN '{"type": "string", "format": "date-time"}'
               WHEN t.typname = 'date' THEN '{"type": "string", "format": "date"}'
               WHEN t.typname IN ('json', 'jsonb') THEN '{"description": "JSON"}'
               WHEN t.typname = 'geometry' THEN '{"$ref": "#/definitions/GeoJSONGeometry"}'
               ELSE '{"type": "string"}'
           END
    FROM pg_type AS t
),
type_schema (oid, schema) AS (
    SELECT t.oid, CASE WHEN t.typcategory = 'A'
                       THEN jsonb_build_object('type', 'array', 'items', e.schema)
                       ELSE b.schema END
    FROM pg_type AS t
    JOIN types AS b ON b.oid = t.oid
    LEFT JOIN types AS e ON e.oid = t.typelem
),
views AS (
    SELECT c.oid, c.relname::text AS name, obj_description(c.oid, 'pg_class') AS description,
           has_table_privilege(c.oid, 'INSERT') AS can_insert,
           has_table_privilege(c.oid, 'UPDATE') AS can_update,
           has_table_privilege(c.oid, 'DELETE') AS can_delete
    FROM pg_class AS c
    WHERE c.relnamespace = 'api'::regnamespace AND c.relkind IN ('v', 'm')
      AND has_table_privilege(c.oid, 'SELECT')
),
view_columns AS (
    SELECT v.name AS view, a.attname::text AS name, a.attnum,
           s.schema || jsonb_strip_nulls(jsonb_build_object('description', col_description(v.oid, a.attnum))) AS schema
    FROM views AS v
    JOIN pg_attribute AS a ON a.attrelid = v.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN type_schema AS s ON s.oid = a.atttypid
),
functions AS (
    SELECT p.oid, p.proname::text AS name, obj_description(p.oid, 'pg_proc') AS description,
           p.provolatile <> 'v' AS read_only, p.prorettype, p.proretset,
           coalesce(p.proallargtypes, p.proargtypes::oid[]) AS arg_types,
           coalesce(p.proargmodes, array_fill('i'::"char", ARRAY[p.pronargs])) AS arg_modes,
           p.proargnames AS arg_names, p.pronargs - p.pronargdefaults AS n_without_default
    FROM pg_proc AS p
    WHERE p.pronamespace = 'api'::regnamespace AND p.proname <> 'openapi' AND p.prokind = 'f'
      AND has_function_privilege(p.oid, 'EXECUTE')
),
function_args AS (
    SELECT f.name AS fn, a.name, a.mode, a.n, s.schema,
           -- an argument without a default, or one documented as required (given DEFAULT NULL
           -- only so that its absence answers 400 naming it)
           a.mode = 'i' AND (a.n <= f.n_without_default OR coalesce(d.required, false)) AS required,
           d.description
    FROM functions AS f
    CROSS JOIN LATERAL unnest(f.arg_names, f.arg_types, f.arg_modes) WITH ORDINALITY AS a(name, type, mode, n)
    JOIN type_schema AS s ON s.oid = a.type
    LEFT JOIN param_docs AS d ON d.fn = f.name AND d.param = a.name
),
function_results AS (
    SELECT f.name AS fn,
           CASE
               -- RETURNS TABLE: the OUT columns
               WHEN EXISTS (SELECT FROM function_args AS a WHERE a.fn = f.name AND a.mode = 't') THEN
                   (SELECT jsonb_build_object('type', 'object', 'properties', jsonb_object_agg(a.name, a.schema ORDER BY a.n))
                    FROM function_args AS a WHERE a.fn = f.name AND a.mode = 't')
               -- SETOF a composite type: its attributes
               WHEN t.typtype = 'c' THEN
                   (SELECT jsonb_build_object('type', 'object', 'properties',
                                              jsonb_object_agg(at.attname, s.schema || jsonb_strip_nulls(jsonb_build_object(
                                                  'description', col_description(t.typrelid, at.attnum))) ORDER BY at.attnum))
                    FROM pg_attribute AS at JOIN type_schema AS s ON s.oid = at.atttypid
                    WHERE at.attrelid = t.typrelid AND at.attnum > 0 AND NOT at.attisdropped)
               WHEN r.schema IS NOT NULL THEN r.schema
               WHEN t.typname = 'jsonb' THEN '{"type": "object"}'::jsonb
               ELSE s.schema
           END AS item,
           f.proretset AS is_set
    FROM functions AS f
    JOIN pg_type AS t ON t.oid = f.prorettype
    JOIN type_schema AS s ON s.oid = f.prorettype
    LEFT JOIN result_docs AS r ON r.fn = f.name
),
error AS (
    SELECT '{"$ref": "#/responses/Error"}'::jsonb AS response
),
view_paths AS (
    SELECT '/' || v.name AS path,
           jsonb_strip_nulls(jsonb_build_object(
               'get', jsonb_build_object(
                   'tags', jsonb_build_array(v.name), 'summary', split_part(v.description, '. ', 1),
                   'description', v.description,
                   'produces', '["application/json", "application/geo+json", "text/csv"]'::jsonb,
                   'parameters', filters.params || '[
                       {"$ref": "#/parameters/select"}, {"$ref": "#/parameters/order"},
                       {"$ref": "#/parameters/limit"}, {"$ref": "#/parameters/offset"},
                       {"$ref": "#/parameters/range"}, {"$ref": "#/parameters/prefer_count"}]'::jsonb,
                   'responses', jsonb_build_object(
                       '200', jsonb_build_object('description', 'The rows', 'schema',
                                                 jsonb_build_object('type', 'array', 'items', jsonb_build_object('$ref', '#/definitions/' || v.name))),
                       '206', jsonb_build_object('description', 'Part of the rows (Range)', 'schema',
                                                 jsonb_build_object('type', 'array', 'items', jsonb_build_object('$ref', '#/definitions/' || v.name))),
                       '400', e.response, '401', e.response)),
               'post', CASE WHEN v.can_insert THEN jsonb_build_object(
                   'tags', jsonb_build_array(v.name), 'summary', 'Insert rows',
                   'parameters', jsonb_build_array(jsonb_build_object('name', 'body', 'in', 'body', 'required', true,
                                                   'schema', jsonb_build_object('$ref', '#/definitions/' || v.name))),
                   'responses', jsonb_build_object('201', '{"description": "Created"}'::jsonb, '400', e.response, '401', e.response)) END,
               'patch', CASE WHEN v.can_update THEN jsonb_build_object(
                   'tags', jsonb_build_array(v.name), 'summary', 'Update the rows the filters select',
                   'parameters', filters.params || jsonb_build_array(jsonb_build_object('name', 'body', 'in', 'body', 'required', true,
                                                   'schema', jsonb_build_object('$ref', '#/definitions/' || v.name))),
                   'responses', jsonb_build_object('204', '{"description": "Updated"}'::jsonb, '400', e.response, '401', e.response)) END,
               'delete', CASE WHEN v.can_delete THEN jsonb_build_object(
                   'tags', jsonb_build_array(v.name), 'summary', 'Delete the rows the filters select',
                   'parameters', filters.params,
                   'responses', jsonb_build_object('204', '{"description": "Deleted"}'::jsonb, '400', e.response, '401', e.response)) END
           )) AS item
    FROM views AS v
    CROSS JOIN error AS e
    CROSS JOIN LATERAL (
        SELECT jsonb_agg(jsonb_build_object(
                   'name', c.name, 'in', 'query', 'required', false, 'type', 'string',
                   'description', 'Filter on ' || c.name || ' as operator.value, e.g. eq.…, gt.…, in.(…), is.null'
                                  || coalesce(': ' || (c.schema ->> 'description'), '')) ORDER BY c.attnum) AS params
        FROM view_columns AS c WHERE c.view = v.name
    ) AS filters
),
-- A query-string parameter is a primitive: arrays and JSON go as their text.
query_params AS (
    SELECT a.fn, jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
               'name', a.name, 'in', 'query', 'required', a.required, 'description', a.description,
               'type', CASE WHEN a.schema ->> 'type' IN ('integer', 'number', 'boolean') THEN a.schema ->> 'type' ELSE 'string' END,
               'format', CASE WHEN a.schema ->> 'type' IN ('integer', 'number', 'string') THEN a.schema ->> 'format' END))
               ORDER BY a.n) AS params
    FROM function_args AS a WHERE a.mode IN ('i', 'b')
    GROUP BY a.fn
),
body_params AS (
    SELECT f.name AS fn, jsonb_build_array(jsonb_build_object(
               'name', 'args', 'in', 'body', 'required', true,
               'schema', jsonb_strip_nulls(jsonb_build_object(
                   'type', 'object',
                   'required', (SELECT jsonb_agg(a.name ORDER BY a.n) FROM function_args AS a
                                WHERE a.fn = f.name AND a.mode IN ('i', 'b') AND a.required),
                   'properties', coalesce((SELECT jsonb_object_agg(a.name, a.schema || jsonb_strip_nulls(jsonb_build_object('description', a.description)))
                                           FROM function_args AS a WHERE a.fn = f.name AND a.mode IN ('i', 'b')), '{}'))))) AS params
    FROM functions AS f
),
function_paths AS (
    SELECT '/rpc/' || f.name AS path,
           jsonb_strip_nulls(jsonb_build_object(
               'get', CASE WHEN f.read_only THEN op || jsonb_build_object('parameters', coalesce(q.params, '[]')) END,
               'post', op || jsonb_build_object('parameters', b.params)
           )) AS item
    FROM functions AS f
    JOIN function_results AS r ON r.fn = f.name
    JOIN body_params AS b ON b.fn = f.name
    LEFT JOIN query_params AS q ON q.fn = f.name
    CROSS JOIN error AS e
    CROSS JOIN LATERAL (SELECT jsonb_build_object(
        'tags', jsonb_build_array(CASE WHEN f.name LIKE 'legacy\_%' THEN 'legacy' ELSE '(rpc) ' || f.name END),
        'summary', split_part(f.description, '. ', 1), 'description', f.description,
        'produces', '["application/json"]'::jsonb,
        'responses', jsonb_build_object(
            '200', jsonb_build_object('description', 'The answer',
                                      'schema', CASE WHEN r.is_set THEN jsonb_build_object('type', 'array', 'items', r.item) ELSE r.item END),
            '400', e.response, '401', e.response, '404', e.response, '409', e.response, '422', e.response, '429', e.response)) AS op) AS o
)
SELECT json_build_object(
    'swagger', '2.0',
    'info', json_build_object(
        -- the api schema's comment, as PostgREST's own document has it
        'title', coalesce(obj_description('api'::regnamespace, 'pg_namespace'), 'API'),
        'version', '1',
        'description', 'Reads are anonymous; writes need "Authorization: Bearer <token>" from /rpc/log_in or /rpc/sign_up, '
                       'and this document lists them only when asked with a token.'),
    'basePath', coalesce(nullif(regexp_replace(current_setting('app.settings.api_url', true), '^https?://[^/]*', ''), ''), '/'),
    'schemes', json_build_array(coalesce(substring(current_setting('app.settings.api_url', true) FROM '^(https?)://'), 'http')),
    'consumes', json_build_array('application/json'),
    'produces', json_build_array('application/json'),
    'securityDefinitions', json_build_object('token', json_build_object(
        'type', 'apiKey', 'in', 'header', 'name', 'Authorization', 'description', 'Bearer <token> from /rpc/log_in or /rpc/sign_up')),
    'paths', (SELECT json_object_agg(p.path, p.item ORDER BY p.path)
              FROM (SELECT path, item FROM view_paths UNION ALL SELECT path, item FROM function_paths) AS p),
    'responses', json_build_object('Error', json_build_object(
        'description', 'Error: PostgREST''s shape {code, message, details, hint} (the legacy /api/v1 routes: FastAPI''s {detail})',
        'schema', json_build_object('$ref', '#/definitions/Error'))),
    'parameters', json_build_object(
        'select', json_build_object('name', 'select', 'in', 'query', 'required', false, 'type', 'string', 'description', 'Columns to return, comma-separated'),
        'order', json_build_object('name', 'order', 'in', 'query', 'required', false, 'type', 'string', 'description', 'Ordering, e.g. column.desc,other.asc'),
        'limit', json_build_object('name', 'limit', 'in', 'query', 'required', false, 'type', 'integer', 'minimum', 0, 'description', 'At most this many rows (and at most 5000)'),
        'offset', json_build_object('name', 'offset', 'in', 'query', 'required', false, 'type', 'integer', 'minimum', 0, 'description', 'Skip this many rows'),
        'range', json_build_object('name', 'Range', 'in', 'header', 'required', false, 'type', 'string', 'description', 'Rows by position, e.g. 0-99'),
        'prefer_count', json_build_object('name', 'Prefer', 'in', 'header', 'required', false, 'type', 'string',
                                          'enum', json_build_array('count=exact', 'count=planned', 'count=estimated'), 'description', 'Ask for the total in Content-Range')),
    'definitions', (
        SELECT jsonb_object_agg(d.name, d.schema)
        FROM (SELECT v.name, jsonb_strip_nulls(jsonb_build_object(
                         'type', 'object', 'description', v.description,
                         'properties', (SELECT jsonb_object_agg(c.name, c.schema ORDER BY c.attnum) FROM view_columns AS c WHERE c.view = v.name)))
              FROM views AS v
              UNION ALL
              SELECT 'GeoJSONGeometry', '{"type": "object", "description": "A GeoJSON geometry (RFC 7946): coordinates [longitude, latitude] in degrees WGS84",
                                          "required": ["type", "coordinates"],
                                          "properties": {"type": {"type": "string", "enum": ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]},
                                                         "coordinates": {"type": "array", "items": {}}}}'::jsonb
              UNION ALL
              SELECT 'Session', '{"type": "object", "description": "A log-in: the bearer token and when it expires",
                                  "properties": {"token": {"type": "string"}, "token_type": {"type": "string", "enum": ["bearer"]},
                                                 "user_id": {"type": "string", "format": "uuid"}, "expires_at": {"type": "string", "format": "date-time"}}}'::jsonb
              UNION ALL
              SELECT 'Error', '{"type": "object", "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "string"},
                                                                 "hint": {"type": "string"}, "detail": {"description": "legacy routes: a message or FastAPI''s list of validation errors"}}}'::jsonb
             ) AS d(name, schema))
)
$$;

COMMENT ON FUNCTION api.openapi() IS
    'The OpenAPI 2.0 document of the API (served at the root, db-root-spec): views and functions of the api schema the caller''s role may use, '
    'geometry typed as a GeoJSON object, RPC parameters with descriptions and required flags, response shapes.';

COMMIT;
