-- Saving a conversation is compare-and-set on this version: a double tap or a second
-- instance holding an older state cannot overwrite a newer one.
ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
