-- Deploy trafficsafety:tsi/constants_settings to pg
-- What the life cycle of constants and baselines (tsi/compute_constants) needs to know: how
-- much history makes constants proper rather than a bootstrap, and whether an Empirical-Bayes
-- baseline set was computed from all of its trailing period.
BEGIN;
SET LOCAL ROLE tsdb_owner;

ALTER TABLE tsi.formula_config
    ADD COLUMN normalization_min_minutes integer NOT NULL DEFAULT 60
        CONSTRAINT formula_config_normalization_min_minutes CHECK (normalization_min_minutes >= 1);
COMMENT ON COLUMN tsi.formula_config.normalization_min_minutes IS
    'Minutes with data (network-wide) that normalisation constants need to be proper; computed from fewer they are a bootstrap, '
    'replaced as soon as the history has this many (minutes, >= 1).';

ALTER TABLE tsi.eb_baselines
    ADD COLUMN history_until timestamptz,
    ADD COLUMN excluded_hours integer NOT NULL DEFAULT 0 CHECK (excluded_hours >= 0);
COMMENT ON COLUMN tsi.eb_baselines.history_until IS
    'End of the hourly rollups the set was computed from (the hourly watermark, at most valid_from): a set with less than its whole '
    'trailing period is recomputed once more is rolled up. NULL for sets of release 1.0.';
COMMENT ON COLUMN tsi.eb_baselines.excluded_hours IS
    'Hourly rows of the trailing period left out because their minutes were scored with bootstrap constants; a set that left any '
    'out is recomputed once they are rescored.';

COMMIT;
