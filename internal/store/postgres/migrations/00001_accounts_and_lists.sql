-- The first schema: accounts (users, invitations, sessions, API tokens, sign-in throttles) and
-- saved lists. Token hashes are the 32-byte SHA-256 of the token; tokens themselves are never
-- stored. It matches store/sqlite's 00001 table for table.

-- +goose Up
CREATE TABLE users (
    id            BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT        NOT NULL,
    email_key     TEXT        NOT NULL UNIQUE, -- lower-cased email: unique in any case
    password_hash TEXT        NOT NULL,
    role          TEXT        NOT NULL CHECK (role IN ('operator', 'member')),
    disabled      BOOLEAN     NOT NULL DEFAULT false,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE invitations (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash BYTEA       NOT NULL UNIQUE,
    email      TEXT        NOT NULL DEFAULT '',
    role       TEXT        NOT NULL CHECK (role IN ('operator', 'member')),
    created_by BIGINT      REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ,
    used_by    BIGINT      REFERENCES users (id) ON DELETE SET NULL
);

CREATE TABLE sessions (
    id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash      BYTEA       NOT NULL UNIQUE,
    user_id         BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      TIMESTAMPTZ NOT NULL,
    last_seen_at    TIMESTAMPTZ NOT NULL,
    idle_timeout    BIGINT      NOT NULL, -- microseconds
    idle_expires_at TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    user_agent      TEXT        NOT NULL DEFAULT '',
    client_addr     TEXT        NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT        NOT NULL,
    token_hash   BYTEA       NOT NULL UNIQUE,
    hint         TEXT        NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL,
    last_used_at TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (user_id, name) WHERE revoked_at IS NULL;

CREATE TABLE sign_in_throttles (
    key          TEXT        PRIMARY KEY,
    failures     INTEGER     NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);

CREATE TABLE lists (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id   BIGINT      NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (owner_id, name)
);

CREATE TABLE list_items (
    id             BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    list_id        BIGINT      NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    product_id     TEXT        NOT NULL,
    sku_id         TEXT        NOT NULL DEFAULT '',
    country        TEXT        NOT NULL DEFAULT '',
    pricing_rule   TEXT        NOT NULL DEFAULT '',
    note           TEXT        NOT NULL DEFAULT '',
    position       INTEGER     NOT NULL,
    title          TEXT        NOT NULL DEFAULT '',
    image_url      TEXT        NOT NULL DEFAULT '',
    price_amount   BIGINT      NOT NULL, -- minor units
    price_currency TEXT        NOT NULL, -- ISO 4217
    saved_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (list_id, product_id, sku_id)
);
CREATE INDEX list_items_position ON list_items (list_id, position);

-- +goose Down
DROP TABLE list_items;
DROP TABLE lists;
DROP TABLE sign_in_throttles;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE invitations;
DROP TABLE users;
