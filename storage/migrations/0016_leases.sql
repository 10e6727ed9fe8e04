-- Several instances on one database (PostgreSQL): a lease names the one instance doing a
-- piece of work (a broadcast's sender) while it keeps renewing it; another takes the work
-- over once the lease has run out (its holder died).
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT    NOT NULL,
    expires_at INTEGER NOT NULL      -- Unix seconds, UTC
);

-- Scheduled jobs done once across instances: the first instance to claim a job's slot (a
-- day's rate fetch) runs it, the others see the row and skip it.
CREATE TABLE job_runs (
    job  TEXT    NOT NULL,
    slot TEXT    NOT NULL,
    at   INTEGER NOT NULL,
    PRIMARY KEY (job, slot)
);
