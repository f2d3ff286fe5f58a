-- Revert trafficsafety:api/privileges from pg
BEGIN;

REVOKE ALL ON auth.users FROM web_user;
REVOKE ALL ON diary.ratings, diary.votes FROM web_user;
REVOKE SELECT ON api.my_account, api.my_ratings, api.my_votes FROM web_user;
REVOKE EXECUTE ON FUNCTION
    api.delete_account(),
    api.submit_rating(text, integer, text[], text, uuid, timestamptz, text, text, uuid),
    api.submit_trip(uuid, text[], integer, text[], text, jsonb, timestamptz, text, uuid),
    api.submit_vote(text, text, uuid),
    api.create_route(text, text[], boolean),
    api.rename_route(uuid, text),
    api.delete_route(uuid),
    api.route(numeric[], numeric[], text, numeric, boolean)
FROM web_user;

REVOKE EXECUTE ON FUNCTION auth.current_user_id() FROM web_anon, web_user;
REVOKE ALL ON diary.tags, diary.routes FROM web_anon, web_user;
REVOKE SELECT ON api.diary_tags, api.routes FROM web_anon, web_user;
REVOKE EXECUTE ON FUNCTION
    api.sign_up(text, text, text),
    api.log_in(text, text),
    api.segments(text, numeric, timestamptz),
    api.diary_health(),
    api.route_trend(uuid, integer),
    api.route_tags(uuid, integer),
    api.coverage(text, numeric)
FROM web_anon, web_user;

REVOKE SELECT ON tsi.intersections, tsi.mv_current_safety_status, tsi.safety_indices_hourly,
                 tsi.safety_indices_daily, tsi.data_quality_log
FROM web_anon, web_user;
REVOKE SELECT ON api.intersections, api.latest_indices, api.safety_indices_hourly, api.safety_indices_daily,
                 api.data_quality_events
FROM web_anon, web_user;
REVOKE EXECUTE ON FUNCTION
    api.health(),
    api.tsi_health(),
    api.intersection_history(integer, timestamptz, timestamptz, text),
    api.intersections_near(double precision, double precision, double precision),
    api.intersections_along_route(jsonb, jsonb, double precision),
    api.intersections_in_polygon(jsonb),
    api.legacy_safety_index(),
    api.legacy_safety_index_one(integer),
    api.legacy_safety_history(integer, integer, date, date, text),
    api.legacy_intersections_nearby(double precision, double precision, integer),
    api.legacy_intersections_route(text, integer)
FROM web_anon, web_user;

COMMIT;
