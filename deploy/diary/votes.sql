-- Deploy trafficsafety:diary/votes to pg
-- implicit_rating is NUMERIC (a SMALLINT would turn 3.2 into 3); one vote per user, segment and
-- action per rolling 24 hours.
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE diary.votes (
    vote_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    segment_id      varchar(50) NOT NULL REFERENCES diary.segments (segment_id) ON DELETE CASCADE,
    user_id         uuid NOT NULL REFERENCES auth.users (user_id) ON DELETE CASCADE,
    action          varchar(10) NOT NULL CHECK (action IN ('agree', 'safer')),
    implicit_rating numeric(3, 2) NOT NULL CHECK (implicit_rating BETWEEN 1 AND 5),
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT unique_vote_per_day EXCLUDE USING gist (
        user_id WITH =, segment_id WITH =, action WITH =, diary.span_hours(submitted_at, 24) WITH &&)
);
COMMENT ON TABLE diary.votes IS
    'Community votes on a segment''s score (agree / feels safer), each counting as an implicit rating.';

CREATE INDEX idx_votes_segment ON diary.votes (segment_id, submitted_at DESC) INCLUDE (implicit_rating);
CREATE INDEX idx_votes_user ON diary.votes (user_id, created_at DESC);

COMMIT;
