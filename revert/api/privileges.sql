-- Revert trafficsafety:api/privileges from pg
-- Back to v1.0.0's grants: with the reworked api/legacy still deployed (it is reverted after this
-- change, and gives its v1.0.0 functions their grants back), only the grants on its functions go, and those of the OpenAPI document.
BEGIN;

REVOKE EXECUTE ON FUNCTION
    api.openapi(),
    api.legacy_safety_index_one(text),
    api.legacy_intersection_names(),
    api.legacy_safety_history(text, text, text, text, text),
    api.legacy_safety_stats(text, text, text, text),
    api.legacy_safety_history_all(text, text, text, text),
    api.legacy_intersections_nearby(text, text, text),
    api.legacy_intersections_route(text, text)
FROM web_anon, web_user;

COMMIT;
