-- /deletemydata now takes more with it (storage/applications.py erase_user): apply that to
-- the users erased before. Applications anonymised earlier lose every uploaded document
-- and the free text staff wrote to the applicant (the status history itself stays), and
-- the broadcast deliveries of users who no longer exist go.
DELETE FROM documents
 WHERE application_id IN (SELECT id FROM applications WHERE anonymised = 1);
UPDATE status_changes SET comment = ''
 WHERE comment != '' AND application_id IN (SELECT id FROM applications WHERE anonymised = 1);
UPDATE applications SET rejection_reason = NULL
 WHERE anonymised = 1 AND rejection_reason IS NOT NULL;
DELETE FROM deliveries WHERE user_id NOT IN (SELECT id FROM users);
DELETE FROM outbox WHERE chat_id NOT IN (SELECT id FROM users)
  AND kind NOT IN ('documents_flag', 'new_application', 'digest');
