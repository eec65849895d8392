-- The masked secret showed its last 4 characters; it shows none now, and no part of a secret is
-- stored in clear: blank the hints written before (new keys store none).
UPDATE "Account" SET "secretHint" = NULL;
