-- Scheduled reminders as an outbox: rows with a due time, claimed by a short tick.
CREATE TABLE reminders (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,                 -- guide, documents, inspection, draft, …
    subject    TEXT    NOT NULL DEFAULT '',      -- what it is about (payload, application id)
    due_at     INTEGER NOT NULL,                 -- Unix seconds, UTC
    payload    TEXT    NOT NULL DEFAULT '{}',    -- JSON the message is rendered from
    status     TEXT    NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'sent', 'dropped')),
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
);
CREATE INDEX reminders_due ON reminders (status, due_at);
-- One pending reminder per user, kind and subject: pressing twice doesn't remind twice.
CREATE UNIQUE INDEX reminders_once ON reminders (user_id, kind, subject) WHERE status = 'pending';
