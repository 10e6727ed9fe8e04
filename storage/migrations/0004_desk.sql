-- The staff desk: decision data on applications, muted reminders, role grants.
ALTER TABLE applications ADD COLUMN certificate_number TEXT;
ALTER TABLE applications ADD COLUMN rejection_reason TEXT;
ALTER TABLE applications ADD COLUMN inspection_at INTEGER;       -- Unix seconds, UTC
ALTER TABLE applications ADD COLUMN inspection_place TEXT;
ALTER TABLE applications ADD COLUMN requested_documents TEXT NOT NULL DEFAULT '[]';  -- kinds
ALTER TABLE applications ADD COLUMN requested_at INTEGER;

ALTER TABLE users ADD COLUMN muted INTEGER NOT NULL DEFAULT 0;  -- no reminders, please

-- Who granted or revoked the staff role, and when.
CREATE TABLE role_grants (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL,
    role     TEXT    NOT NULL,
    action   TEXT    NOT NULL CHECK (action IN ('grant', 'revoke')),
    actor_id INTEGER NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX role_grants_user ON role_grants (user_id, at);

-- The staff digest goes out once per working day: a row per day sent.
CREATE TABLE digests (
    day     TEXT PRIMARY KEY,                    -- YYYY-MM-DD, Asia/Almaty
    sent_at INTEGER NOT NULL
);
