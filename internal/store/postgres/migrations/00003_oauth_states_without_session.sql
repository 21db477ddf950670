-- An authorization started with an API token (a script asking for the link to send its user to)
-- has no session: its state is bound to the user alone, and any session of that user may finish
-- it. It matches store/sqlite's 00003.

-- +goose Up
ALTER TABLE oauth_states ALTER COLUMN session_id DROP NOT NULL;

-- +goose Down
DELETE FROM oauth_states WHERE session_id IS NULL;
ALTER TABLE oauth_states ALTER COLUMN session_id SET NOT NULL;
