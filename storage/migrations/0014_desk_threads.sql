-- Conversations between applicants and the centre: one thread per application, or one per
-- applicant for a general question (key 'a:<application id>' or 'u:<user id>'), with its
-- owner among staff and its forum topic in the staff group (when one is configured).
CREATE TABLE threads (
    id              INTEGER PRIMARY KEY,
    key             TEXT    NOT NULL UNIQUE,
    application_id  INTEGER REFERENCES applications(id) ON DELETE CASCADE,
    user_id         INTEGER,                 -- the applicant (NULL once erased)
    assignee_id     INTEGER,                 -- the staff member who owns it
    topic_id        INTEGER,                 -- message_thread_id in the staff group
    waiting_since   INTEGER,                 -- the applicant's oldest unanswered message
    last_at         INTEGER NOT NULL         -- Unix seconds, UTC
);
CREATE INDEX threads_waiting ON threads (waiting_since);
CREATE INDEX threads_assignee ON threads (assignee_id);
CREATE INDEX threads_topic ON threads (topic_id);

-- Every message of a thread, in order: the applicant's questions ('in'), staff's replies
-- ('out', delivered through the outbox), internal notes ('note', never delivered) and
-- desk events ('assign': text is the new owner's id, empty when released).
CREATE TABLE thread_messages (
    id         INTEGER PRIMARY KEY,
    thread_id  INTEGER NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('in', 'out', 'note', 'assign')),
    author_id  INTEGER,
    text       TEXT    NOT NULL DEFAULT '',
    file_id    TEXT,
    file_type  TEXT,                         -- 'document' or 'photo'
    at         INTEGER NOT NULL
);
CREATE INDEX thread_messages_thread ON thread_messages (thread_id, id);
