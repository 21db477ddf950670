-- Connected AliExpress accounts with their sealed tokens, the expiry notices sent about them, the
-- email outbox and OAuth states. Times are INTEGER microseconds since the Unix epoch, UTC.

-- +goose Up
CREATE TABLE connected_accounts (
    id                  INTEGER PRIMARY KEY,
    user_id             INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ae_user_id          TEXT    NOT NULL,
    nick                TEXT    NOT NULL DEFAULT '',
    email               TEXT    NOT NULL DEFAULT '',
    sealed_access       TEXT    NOT NULL, -- "<key id>:<base64 nonce|ciphertext>", never the token
    sealed_refresh      TEXT    NOT NULL,
    key_id              TEXT    NOT NULL,
    access_expires_at   INTEGER,
    refresh_expires_at  INTEGER,
    is_default          INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    needs_reconnect     INTEGER NOT NULL DEFAULT 0 CHECK (needs_reconnect IN (0, 1)),
    store_url           TEXT    NOT NULL DEFAULT '',
    report_state        TEXT    NOT NULL DEFAULT 'none'
                                CHECK (report_state IN ('none', 'pending', 'reported', 'failed')),
    report_message      TEXT    NOT NULL DEFAULT '',
    reported_at         INTEGER,
    refresh_lease_until INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (user_id, ae_user_id)
) STRICT;
CREATE UNIQUE INDEX connected_accounts_default ON connected_accounts (user_id) WHERE is_default = 1;
CREATE INDEX connected_accounts_access ON connected_accounts (access_expires_at);
CREATE INDEX connected_accounts_refresh ON connected_accounts (refresh_expires_at);
CREATE INDEX connected_accounts_key ON connected_accounts (key_id);

CREATE TABLE expiry_notices (
    account_id INTEGER NOT NULL REFERENCES connected_accounts (id) ON DELETE CASCADE,
    threshold  TEXT    NOT NULL CHECK (threshold IN ('7d', '1d', 'ended')),
    sent_at    INTEGER NOT NULL,
    PRIMARY KEY (account_id, threshold)
) STRICT;

CREATE TABLE email_outbox (
    id              INTEGER PRIMARY KEY,
    to_addr         TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT    NOT NULL DEFAULT '',
    next_attempt_at INTEGER NOT NULL
) STRICT;
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE oauth_states (
    id         INTEGER PRIMARY KEY,
    state_hash BLOB    NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    store_url  TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

-- +goose Down
DROP TABLE oauth_states;
DROP TABLE email_outbox;
DROP TABLE expiry_notices;
DROP TABLE connected_accounts;
