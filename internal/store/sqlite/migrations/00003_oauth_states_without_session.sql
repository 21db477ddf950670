-- An authorization started with an API token (a script asking for the link to send its user to)
-- has no session: its state is bound to the user alone, and any session of that user may finish
-- it. SQLite cannot drop NOT NULL in place, so the table is rebuilt; nothing refers to it.

-- +goose Up
CREATE TABLE oauth_states_new (
    id         INTEGER PRIMARY KEY,
    state_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id INTEGER REFERENCES sessions (id) ON DELETE CASCADE, -- NULL: started with an API token
    store_url  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
INSERT INTO oauth_states_new SELECT id, state_hash, user_id, session_id, store_url, created_at, expires_at, used_at
    FROM oauth_states;
DROP TABLE oauth_states;
ALTER TABLE oauth_states_new RENAME TO oauth_states;
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

-- +goose Down
DELETE FROM oauth_states WHERE session_id IS NULL;
CREATE TABLE oauth_states_old (
    id         INTEGER PRIMARY KEY,
    state_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    store_url  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
INSERT INTO oauth_states_old SELECT id, state_hash, user_id, session_id, store_url, created_at, expires_at, used_at
    FROM oauth_states;
DROP TABLE oauth_states;
ALTER TABLE oauth_states_old RENAME TO oauth_states;
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);
