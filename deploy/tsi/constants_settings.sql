-- Deploy trafficsafety:tsi/constants_settings to pg
-- What the life cycle of constants and baselines (tsi/compute_constants) needs to know: how
-- much history makes constants proper rather than a bootstrap, and whether an Empirical-Bayes
-- baseline set was computed from all of its trailing period; which formula version computed a
-- row of constants.
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

-- The formula version whose settings (period, window, percentile, minimum history) computed a
-- row: a new version that changes them makes the row outdated (tsi.constants_outdated).
ALTER TABLE tsi.normalization_constants
    ADD COLUMN formula_version integer REFERENCES tsi.formula_config (formula_version);
UPDATE tsi.normalization_constants SET formula_version = (tsi.formula_at(valid_from)).formula_version;
COMMENT ON COLUMN tsi.normalization_constants.formula_version IS
    'Formula version (tsi.formula_config) whose normalisation settings computed the constants: the version in force at valid_from.';

COMMIT;
