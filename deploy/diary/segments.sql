-- Deploy trafficsafety:diary/segments to pg
-- Street segments. The seed's denormalised score columns (decayed_mean, n_eff, confidence,
-- top_tags, delta_30d) are not stored here: they depend on the time of reading, so
-- analytics.segment_aggregates exposes them from the one source, analytics.segment_sums.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE diary.segments (
    segment_id   varchar(50) PRIMARY KEY,
    street       varchar(200) NOT NULL,
    neighborhood varchar(100),
    length_m     numeric(8, 2) NOT NULL CHECK (length_m > 0),
    geometry     geometry(LineString, 4326) NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE diary.segments IS 'Street segments (WGS84 LineStrings); scores in analytics.segment_aggregates.';

CREATE INDEX idx_segments_geometry ON diary.segments USING gist (geometry);
CREATE INDEX idx_segments_updated ON diary.segments (updated_at DESC);
CREATE INDEX idx_segments_neighborhood ON diary.segments (neighborhood);

CREATE TRIGGER segments_updated_at BEFORE UPDATE ON diary.segments
    FOR EACH ROW EXECUTE FUNCTION diary.touch_updated_at();

COMMIT;
