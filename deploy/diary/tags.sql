-- Deploy trafficsafety:diary/tags to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE diary.tags (
    tag         text PRIMARY KEY CHECK (tag ~ '^[a-z][a-z_]{0,39}$'),
    description text NOT NULL
);
COMMENT ON TABLE diary.tags IS 'Vocabulary of rating tags; a rating''s tags must be listed here.';

INSERT INTO diary.tags (tag, description) VALUES
    ('poor_lighting', 'Poor lighting'),
    ('low_foot_traffic', 'Few people around'),
    ('cars_too_close', 'Cars pass too close'),
    ('construction_blockage', 'Construction blocks the way'),
    ('strangers_loitering', 'Strangers loitering'),
    ('no_sidewalk', 'No sidewalk'),
    ('bike_conflict', 'Conflicts with bicycles'),
    ('speeding_cars', 'Speeding cars'),
    ('blocked_crosswalk', 'Blocked crosswalk'),
    ('potholes', 'Potholes'),
    ('dogs', 'Dogs'),
    ('other', 'Other');

COMMIT;
