-- Revert trafficsafety:api/json_arguments from pg
BEGIN;

DROP FUNCTION tsi.jsonb_argument(jsonb, text);

COMMIT;
