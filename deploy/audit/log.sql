-- Deploy trafficsafety:audit/log to pg
BEGIN;
SET LOCAL ROLE tsdb_owner;

CREATE TABLE audit.log (
    log_id         bigserial PRIMARY KEY,
    table_name     text NOT NULL,
    operation      text NOT NULL CHECK (operation IN ('INSERT', 'UPDATE', 'DELETE')),
    user_id        uuid,          -- the row's user
    acting_user_id uuid,          -- who made the change (JWT sub), NULL for system work
    db_role        text NOT NULL DEFAULT current_user,
    old_data       jsonb,
    new_data       jsonb,
    changed_at     timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE audit.log IS
    'Every insert, update and delete of ratings, votes, routes and users, with the acting user; password hashes removed.';
CREATE INDEX idx_audit_log_table ON audit.log (table_name, changed_at DESC);
CREATE INDEX idx_audit_log_user ON audit.log (user_id, changed_at DESC);

COMMIT;
