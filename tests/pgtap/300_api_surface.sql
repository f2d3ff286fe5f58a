-- The REST API as a closed list: PostgREST serves every view, table and function of the api
-- schema, so an endpoint that appears, vanishes or changes its parameters is a change of this
-- file too. (Their shape, privileges and behaviour: 301_api_tsi.sql and 310_api_diary.sql.)
BEGIN;
SELECT plan(6);

SELECT functions_are('api', ARRAY[
    -- api/health, api/tsi_functions
    'health', 'tsi_health', 'intersection_history', 'intersections_near', 'intersections_along_route',
    'intersections_in_polygon',
    -- api/legacy: the old dashboard URLs, rewritten by nginx
    'legacy_safety_index', 'legacy_safety_index_one', 'legacy_intersection_names', 'legacy_safety_history',
    'legacy_safety_stats', 'legacy_safety_history_all', 'legacy_intersections_nearby', 'legacy_intersections_route',
    -- the diary
    'sign_up', 'log_in', 'delete_account', 'diary_health', 'segments', 'submit_rating', 'submit_trip', 'submit_vote',
    'create_route', 'rename_route', 'delete_route', 'route', 'route_trend', 'route_tags', 'coverage',
    -- api/openapi: the OpenAPI document PostgREST serves at the root (db-root-spec)
    'openapi'
], 'the api schema has exactly these functions (POST/GET /rpc/…)');

-- PostgREST matches a call's parameters by name: names and types of each (overloads included).
SELECT set_eq(
    $$SELECT format('%s(%s)', proname, pg_get_function_identity_arguments(oid)) FROM pg_proc WHERE pronamespace = 'api'::regnamespace$$,
    ARRAY[
        'health()',
        'tsi_health()',
        'intersection_history(intersection_id integer, start_time timestamp with time zone, end_time timestamp with time zone, aggregation text)',
        'intersections_near(latitude double precision, longitude double precision, radius_m double precision)',
        'intersections_along_route(waypoints jsonb, route_geojson jsonb, buffer_m double precision)',
        'intersections_in_polygon(polygon_geojson jsonb)',
        'legacy_safety_index()',
        'legacy_safety_index_one(intersection_id text)',
        'legacy_intersection_names()',
        'legacy_safety_history(intersection_id text, days text, start_date text, end_date text, aggregation text)',
        'legacy_safety_stats(intersection_id text, days text, start_date text, end_date text)',
        'legacy_safety_history_all(days text, start_date text, end_date text, aggregation text)',
        'legacy_intersections_nearby(lat text, lon text, radius text)',
        'legacy_intersections_route(waypoints text, buffer text)',
        'sign_up(email text, password text, display_name text)',
        'log_in(email text, password text)',
        'delete_account()',
        'diary_health()',
        'segments(bbox text, min_confidence numeric, updated_after timestamp with time zone)',
        'submit_rating(segment_id text, rating integer, tags text[], comment text, rating_id uuid, submitted_at timestamp with time zone, device text, source text, route_id uuid)',
        'submit_trip(submission_id uuid, segment_ids text[], rating integer, tags text[], comment text, overrides jsonb, submitted_at timestamp with time zone, device text, route_id uuid)',
        'submit_vote(segment_id text, action text, vote_id uuid)',
        'create_route(route_name text, segment_ids text[], is_public boolean)',
        'rename_route(route_id uuid, route_name text)',
        'delete_route(route_id uuid)',
        'route(origin numeric[], destination numeric[], mode text, safety_weight numeric, include_alternative boolean)',
        'route_trend(route_id uuid, window_days integer)',
        'route_tags(route_id uuid, top_n integer)',
        'coverage(bbox text, grid_size numeric)',
        'openapi()'
    ],
    'the parameters of every api function, by name and type');

SELECT views_are('api', ARRAY[
    -- api/tsi_views
    'intersections', 'latest_indices', 'safety_indices_hourly', 'safety_indices_daily', 'data_quality_events',
    -- the diary
    'my_account', 'my_ratings', 'my_votes', 'routes', 'diary_tags'
], 'the api schema has exactly these views (GET /…)');
SELECT tables_are('api', ARRAY[]::name[], 'the api schema has no tables');
SELECT materialized_views_are('api', ARRAY[]::name[], 'the api schema has no materialized views');
SELECT foreign_tables_are('api', ARRAY[]::name[], 'the api schema has no foreign tables');

SELECT * FROM finish();
ROLLBACK;
