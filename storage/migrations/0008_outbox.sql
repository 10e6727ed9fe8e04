-- One outbox for every message the bot owes (status notices, reminders, staff alerts):
-- rows are written in the transaction of the change that caused them, claimed by the
-- sender before sending (so two senders never send one row), and retried with backoff.
-- The recipient is a chat id, not a user row: staff may not have started the bot yet.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    chat_id       INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    subject       TEXT    NOT NULL DEFAULT '',
    payload       TEXT    NOT NULL DEFAULT '{}',
    due_at        INTEGER NOT NULL,                -- Unix seconds, UTC
    status        TEXT    NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'claimed', 'sent', 'dropped', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,      -- failed sends so far
    claimed_until INTEGER,                         -- a claim older than this was lost
    created_at    INTEGER NOT NULL,
    sent_at       INTEGER
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_chat ON outbox (chat_id);
-- One pending notice per chat, kind and subject: pressing twice doesn't remind twice.
CREATE UNIQUE INDEX outbox_once ON outbox (chat_id, kind, subject)
    WHERE status IN ('pending', 'claimed');

INSERT INTO outbox (chat_id, kind, subject, payload, due_at, status, created_at, sent_at)
    SELECT user_id, kind, subject, payload, due_at, status, created_at, sent_at FROM reminders;
DROP TABLE reminders;

-- Updates handled, by id: one re-delivered after a crash (its offset not yet confirmed,
-- or a webhook answered too late) is recognised and skipped. Kept for two days.
CREATE TABLE handled_updates (
    update_id INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX handled_updates_at ON handled_updates (at);

-- The update whose handling last saved the conversation: written in the same statement
-- as the state it caused, so a re-delivered answer can never fill the next question.
ALTER TABLE conversations ADD COLUMN update_id INTEGER;
