-- Revert trafficsafety:tsi/message_validation from pg
BEGIN;

DROP FUNCTION tsi.check_mapdata(jsonb);
DROP FUNCTION tsi.check_psm(jsonb, timestamptz);
DROP FUNCTION tsi.check_bsm(jsonb, timestamptz);
DROP FUNCTION tsi.read_v2x(text, jsonb, timestamptz);
DROP FUNCTION tsi.epoch_ms_to_timestamptz(bigint);
DROP FUNCTION tsi.json_int4(jsonb);
DROP FUNCTION tsi.json_integer(jsonb);
DROP FUNCTION tsi.json_number(jsonb);
DROP TYPE tsi.rejection;

COMMIT;
