-- Exchange rates of the National Bank of Kazakhstan (domain.rates), by the day they are set
-- for: the estimate shows the day of the rate it used.
CREATE TABLE exchange_rates (
    day TEXT NOT NULL,              -- ISO date
    currency TEXT NOT NULL,         -- ISO code
    per_unit TEXT NOT NULL,         -- tenge for one unit, a decimal as text (never a float)
    fetched_at INTEGER NOT NULL,    -- Unix seconds, UTC
    PRIMARY KEY (currency, day)
) WITHOUT ROWID;

-- Cost estimates (/cost), each as it was shown: the last few per user are kept, and those
-- attached to an application. They go with the user (/deletemydata).
CREATE TABLE estimates (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,     -- the key of its share link
    created_at INTEGER NOT NULL,
    rate_source TEXT NOT NULL,      -- 'nbk' (rate_day is its day), 'typed', or 'tenge'
    rate_day TEXT,
    total TEXT NOT NULL,            -- whole tenge, the lines whose figure is known
    data TEXT NOT NULL,             -- domain.money_data: inputs, rates and lines
    application_id INTEGER REFERENCES applications(id) ON DELETE SET NULL
);
CREATE INDEX estimates_by_user ON estimates(user_id, id);
CREATE INDEX estimates_by_application ON estimates(application_id) WHERE application_id IS NOT NULL;
