-- Connected AliExpress accounts with their sealed tokens, the expiry notices sent about them, the
-- email outbox and OAuth states. It matches store/sqlite's 00002 table for table.

-- +goose Up
CREATE TABLE connected_accounts (
    id                  BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id             BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ae_user_id          TEXT        NOT NULL,
    nick                TEXT        NOT NULL DEFAULT '',
    email               TEXT        NOT NULL DEFAULT '',
    sealed_access       TEXT        NOT NULL, -- "<key id>:<base64 nonce|ciphertext>", never the token
    sealed_refresh      TEXT        NOT NULL,
    key_id              TEXT        NOT NULL,
    access_expires_at   TIMESTAMPTZ,
    refresh_expires_at  TIMESTAMPTZ,
    is_default          BOOLEAN     NOT NULL DEFAULT false,
    needs_reconnect     BOOLEAN     NOT NULL DEFAULT false,
    store_url           TEXT        NOT NULL DEFAULT '',
    report_state        TEXT        NOT NULL DEFAULT 'none'
                                    CHECK (report_state IN ('none', 'pending', 'reported', 'failed')),
    report_message      TEXT        NOT NULL DEFAULT '',
    reported_at         TIMESTAMPTZ,
    refresh_lease_until TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, ae_user_id)
);
CREATE UNIQUE INDEX connected_accounts_default ON connected_accounts (user_id) WHERE is_default;
CREATE INDEX connected_accounts_access ON connected_accounts (access_expires_at);
CREATE INDEX connected_accounts_refresh ON connected_accounts (refresh_expires_at);
CREATE INDEX connected_accounts_key ON connected_accounts (key_id);

CREATE TABLE expiry_notices (
    account_id BIGINT      NOT NULL REFERENCES connected_accounts (id) ON DELETE CASCADE,
    threshold  TEXT        NOT NULL CHECK (threshold IN ('7d', '1d', 'ended')),
    sent_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, threshold)
);

CREATE TABLE email_outbox (
    id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_addr         TEXT        NOT NULL,
    subject         TEXT        NOT NULL,
    body            TEXT        NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    attempts        INTEGER     NOT NULL DEFAULT 0,
    last_error      TEXT        NOT NULL DEFAULT '',
    next_attempt_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;

CREATE TABLE oauth_states (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    state_hash BYTEA       NOT NULL UNIQUE,
    user_id    BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id BIGINT      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    store_url  TEXT        NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

-- +goose Down
DROP TABLE oauth_states;
DROP TABLE email_outbox;
DROP TABLE expiry_notices;
DROP TABLE connected_accounts;
