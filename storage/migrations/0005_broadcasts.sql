-- Broadcasts as an outbox: one delivery row per recipient, marked when its send succeeds.
CREATE TABLE broadcasts (
    id                  INTEGER PRIMARY KEY,
    author_id           INTEGER NOT NULL,
    texts               TEXT    NOT NULL,          -- JSON {language: HTML text}
    media_kind          TEXT CHECK (media_kind IN ('photo', 'document')),
    media_file_id       TEXT,
    audience            TEXT    NOT NULL,          -- JSON {"kind": …, "value": …}
    paid                INTEGER NOT NULL DEFAULT 0, -- allow_paid_broadcast (up to 1000/s)
    status              TEXT    NOT NULL DEFAULT 'scheduled' CHECK (status IN (
                            'scheduled', 'sending', 'paused', 'cancelled', 'done')),
    scheduled_at        INTEGER NOT NULL,
    created_at          INTEGER NOT NULL,
    started_at          INTEGER,
    finished_at         INTEGER,
    progress_chat_id    INTEGER,
    progress_message_id INTEGER
);
CREATE INDEX broadcasts_status ON broadcasts (status, scheduled_at);

CREATE TABLE deliveries (
    broadcast_id INTEGER NOT NULL REFERENCES broadcasts (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN (
                     'pending', 'sent', 'blocked', 'not_found', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    sent_at      INTEGER,
    PRIMARY KEY (broadcast_id, user_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_pending ON deliveries (broadcast_id, status, user_id);
