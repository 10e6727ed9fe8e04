-- Documents as they were sent (issue 14): a file_id only works with the method of its kind
-- (a photo's id in sendDocument is refused), so the kind is recorded with the file.
ALTER TABLE documents ADD COLUMN sent_as TEXT NOT NULL DEFAULT 'document';  -- photo | document
UPDATE documents SET sent_as = 'photo' WHERE file_name IS NULL AND mime_type = 'image/jpeg';
-- The required items still missing when the applicant submitted: "documents to follow".
ALTER TABLE applications ADD COLUMN documents_to_follow TEXT NOT NULL DEFAULT '[]';
-- When requested documents last arrived (the queue shows "documents received").
ALTER TABLE applications ADD COLUMN documents_received_at INTEGER;
-- History rows that are events, not status changes ('documents_received' with its kinds).
ALTER TABLE status_changes ADD COLUMN event TEXT NOT NULL DEFAULT '';
ALTER TABLE status_changes ADD COLUMN kinds TEXT NOT NULL DEFAULT '[]';
