-- Deploy trafficsafety:api/privileges to pg
-- Who may use the REST API, in one place: everything web_anon (anonymous requests) and web_user
-- (requests with a valid JWT) may do. Both enter no schema but api (core/privileges). The api
-- functions run as their owner; the api views are security_invoker, so the callers also need
-- SELECT on the relations behind them (a view stores them by oid: no USAGE on their schema is
-- needed, nor granted), and row-level security (diary/policies) then filters the rows. Nothing
-- here is writable except through the diary's functions.
-- Reworked after v1.0.0: the legacy endpoints of the reworked api/legacy (text arguments, and the
-- statistics, all-histories and names endpoints).
BEGIN;

-- Anonymous and logged in ----------------------------------------------------------------------

-- Health, the OpenAPI document, the safety index (read-only) and its legacy endpoints.
GRANT EXECUTE ON FUNCTION
    api.health(),
    api.openapi(),
    api.tsi_health(),
    api.intersection_history(integer, timestamptz, timestamptz, text),
    api.intersections_near(double precision, double precision, double precision),
    api.intersections_along_route(jsonb, jsonb, double precision),
    api.intersections_in_polygon(jsonb),
    api.legacy_safety_index(),
    api.legacy_safety_index_one(text),
    api.legacy_intersection_names(),
    api.legacy_safety_history(text, text, text, text, text),
    api.legacy_safety_stats(text, text, text, text),
    api.legacy_safety_history_all(text, text, text, text),
    api.legacy_intersections_nearby(text, text, text),
    api.legacy_intersections_route(text, text)
TO web_anon, web_user;
GRANT SELECT ON api.intersections, api.latest_indices, api.safety_indices_hourly, api.safety_indices_daily,
                api.data_quality_events
TO web_anon, web_user;
GRANT SELECT ON tsi.intersections, tsi.mv_current_safety_status, tsi.safety_indices_hourly,
                tsi.safety_indices_daily, tsi.data_quality_log
TO web_anon, web_user;

-- The diary: scores, tags, public routes and their charts, the coverage map, health; sign-up and
-- log-in.
GRANT EXECUTE ON FUNCTION
    api.sign_up(text, text, text),
    api.log_in(text, text),
    api.segments(text, numeric, timestamptz),
    api.diary_health(),
    api.route_trend(uuid, integer),
    api.route_tags(uuid, integer),
    api.coverage(text, numeric)
TO web_anon, web_user;
GRANT SELECT ON api.diary_tags, api.routes TO web_anon, web_user;
GRANT SELECT ON diary.tags, diary.routes TO web_anon, web_user;
-- The row-level security policies call it for both roles.
GRANT EXECUTE ON FUNCTION auth.current_user_id() TO web_anon, web_user;

-- Logged in only: whatever writes or is personal -----------------------------------------------

GRANT EXECUTE ON FUNCTION
    api.delete_account(),
    api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid),
    api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid),
    api.submit_vote(text, text, uuid),
    api.create_route(text, text[], boolean),
    api.rename_route(uuid, text),
    api.delete_route(uuid),
    api.route(numeric[], numeric[], text, numeric, boolean)
TO web_user;
GRANT SELECT ON api.my_account, api.my_ratings, api.my_votes TO web_user;
GRANT SELECT ON diary.ratings, diary.votes TO web_user;
GRANT SELECT (user_id, email, display_name, avatar_url, is_active, email_verified, created_at, last_login_at, api_tier)
    ON auth.users TO web_user;

COMMIT;
