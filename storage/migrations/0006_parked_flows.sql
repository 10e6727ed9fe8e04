-- A flow the user left for the main menu: kept (so /guide or /apply resumes it), but
-- what they type next is no longer taken as its answer. Any save of the flow clears it.
ALTER TABLE conversations ADD COLUMN parked INTEGER NOT NULL DEFAULT 0;
