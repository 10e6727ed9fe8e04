-- Applicants from anywhere (issue 14): residents and non-residents, Kazakh and foreign
-- companies, and representatives acting for them by power of attorney.
ALTER TABLE applications ADD COLUMN residency TEXT;      -- kz | foreign
ALTER TABLE applications ADD COLUMN country TEXT;        -- ISO 3166-1 alpha-2, lower case
ALTER TABLE applications ADD COLUMN iin TEXT;            -- a non-resident's IIN, if any ('' none)
ALTER TABLE applications ADD COLUMN acting TEXT;         -- self | agent
ALTER TABLE applications ADD COLUMN agent_name TEXT;     -- the representative
ALTER TABLE applications ADD COLUMN agent_id TEXT;       -- their IIN or passport number
