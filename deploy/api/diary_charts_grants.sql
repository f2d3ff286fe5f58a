-- Deploy trafficsafety:api/diary_charts_grants to pg
-- Charts of public routes and the coverage map are open to anonymous callers.
BEGIN;

GRANT EXECUTE ON FUNCTION api.route_trend(uuid, integer), api.route_tags(uuid, integer), api.coverage(text, numeric)
    TO web_anon, web_user;

COMMIT;
