-- Overdue cases told to admins: once per application and stay in a status (a case that
-- moves on and becomes overdue again in a later status is told again).
CREATE TABLE escalations (
    application_id INTEGER NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    status         TEXT    NOT NULL,
    since          INTEGER NOT NULL,   -- when the status was entered (Unix seconds)
    at             INTEGER NOT NULL,
    PRIMARY KEY (application_id, status, since)
);
