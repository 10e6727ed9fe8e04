-- Users and their conversation position: everything a restart must not lose.
CREATE TABLE users (
    id          INTEGER PRIMARY KEY,            -- Telegram user id
    first_name  TEXT    NOT NULL DEFAULT '',
    username    TEXT,
    language    TEXT CHECK (language IN ('kk', 'ru', 'zh')),   -- NULL until known
    role        TEXT    NOT NULL DEFAULT 'importer'
                CHECK (role IN ('importer', 'engineer', 'staff', 'admin')),
    role_chosen INTEGER NOT NULL DEFAULT 0,     -- has the user picked importer/engineer
    first_seen  INTEGER NOT NULL,               -- Unix seconds, UTC
    last_seen   INTEGER NOT NULL,
    blocked     INTEGER NOT NULL DEFAULT 0      -- 403 from Telegram: stop writing
);
CREATE INDEX users_role ON users (role);
CREATE INDEX users_language ON users (language);

-- One row per user in a multi-step flow; read on every update.
CREATE TABLE conversations (
    user_id    INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    flow       TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    data       TEXT    NOT NULL DEFAULT '{}',   -- JSON: the answers so far
    message_id INTEGER,                         -- the message the flow edits in place
    updated_at INTEGER NOT NULL
);
