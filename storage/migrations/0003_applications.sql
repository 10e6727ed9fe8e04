-- Applications (drafts included), their documents and status history; consents.
CREATE TABLE consents (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    version     TEXT    NOT NULL,                -- which consent text was accepted
    language    TEXT    NOT NULL,
    accepted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, version)
);

CREATE TABLE applications (
    id             INTEGER PRIMARY KEY,
    number         TEXT UNIQUE,                  -- EV-2026-000123, given at submission
    user_id        INTEGER REFERENCES users (id) ON DELETE SET NULL,  -- NULL once anonymised
    status         TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN (
                       'draft', 'submitted', 'in_review', 'documents_requested', 'inspection',
                       'testing', 'approved', 'rejected', 'withdrawn')),
    path           TEXT    NOT NULL DEFAULT 'sbkts',   -- sbkts | otts (from the guide)
    guide_answers  TEXT    NOT NULL DEFAULT '{}',
    applicant_type TEXT CHECK (applicant_type IN ('person', 'company')),
    applicant_name TEXT,
    id_number      TEXT,                         -- IIN for a person, BIN for a company
    phone          TEXT,
    vin            TEXT,
    vin_warning    INTEGER NOT NULL DEFAULT 0,   -- the user confirmed a check-digit warning
    make           TEXT,
    model          TEXT,
    year           INTEGER,
    category       TEXT,
    powertrain     TEXT,
    battery_kwh    REAL,
    chemistry      TEXT,
    inlet          TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    submitted_at   INTEGER,
    anonymised     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX applications_user ON applications (user_id, status);
CREATE INDEX applications_status ON applications (status, updated_at);
CREATE INDEX applications_vin ON applications (vin);
-- At most one draft per user: "Apply" always continues it.
CREATE UNIQUE INDEX applications_one_draft ON applications (user_id) WHERE status = 'draft';

CREATE TABLE documents (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    kind           TEXT    NOT NULL,             -- checklist item: identity, contract, photos…
    file_id        TEXT    NOT NULL,
    file_unique_id TEXT    NOT NULL,
    file_name      TEXT,
    mime_type      TEXT,
    size           INTEGER,
    uploaded_at    INTEGER NOT NULL,
    UNIQUE (application_id, file_unique_id)      -- the same file twice is noticed
);
CREATE INDEX documents_application ON documents (application_id, kind);

CREATE TABLE status_changes (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_status    TEXT,
    to_status      TEXT    NOT NULL,
    actor_id       INTEGER,                      -- who (user or staff id); NULL when erased
    comment        TEXT    NOT NULL DEFAULT '',
    at             INTEGER NOT NULL
);
CREATE INDEX status_changes_application ON status_changes (application_id, at);
