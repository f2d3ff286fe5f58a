-- Revert trafficsafety:api/diary_charts_grants from pg
BEGIN;

REVOKE EXECUTE ON FUNCTION api.route_trend(uuid, integer), api.route_tags(uuid, integer), api.coverage(text, numeric)
    FROM web_anon, web_user;

COMMIT;
