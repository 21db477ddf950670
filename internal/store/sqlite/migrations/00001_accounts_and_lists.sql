-- The first schema: accounts (users, invitations, sessions, API tokens, sign-in throttles) and
-- saved lists. Times are INTEGER microseconds since the Unix epoch, UTC. Token hashes are the
-- 32-byte SHA-256 of the token; tokens themselves are never stored.

-- +goose Up
CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL,
    email_key     TEXT    NOT NULL UNIQUE, -- lower-cased email: unique in any case
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('operator', 'member')),
    disabled      INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB    NOT NULL UNIQUE,
    email      TEXT    NOT NULL DEFAULT '',
    role       TEXT    NOT NULL CHECK (role IN ('operator', 'member')),
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    used_by    INTEGER REFERENCES users (id) ON DELETE SET NULL
) STRICT;

CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY,
    token_hash      BLOB    NOT NULL UNIQUE,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at      INTEGER NOT NULL,
    last_seen_at    INTEGER NOT NULL,
    idle_timeout    INTEGER NOT NULL, -- microseconds
    idle_expires_at INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    user_agent      TEXT    NOT NULL DEFAULT '',
    client_addr     TEXT    NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    hint         TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE UNIQUE INDEX api_tokens_active_name ON api_tokens (user_id, name) WHERE revoked_at IS NULL;

CREATE TABLE sign_in_throttles (
    key          TEXT    PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER
) STRICT;

CREATE TABLE lists (
    id         INTEGER PRIMARY KEY,
    owner_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (owner_id, name)
) STRICT;

CREATE TABLE list_items (
    id             INTEGER PRIMARY KEY,
    list_id        INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    product_id     TEXT    NOT NULL,
    sku_id         TEXT    NOT NULL DEFAULT '',
    country        TEXT    NOT NULL DEFAULT '',
    pricing_rule   TEXT    NOT NULL DEFAULT '',
    note           TEXT    NOT NULL DEFAULT '',
    position       INTEGER NOT NULL,
    title          TEXT    NOT NULL DEFAULT '',
    image_url      TEXT    NOT NULL DEFAULT '',
    price_amount   INTEGER NOT NULL, -- minor units
    price_currency TEXT    NOT NULL, -- ISO 4217
    saved_at       INTEGER NOT NULL,
    UNIQUE (list_id, product_id, sku_id)
) STRICT;
CREATE INDEX list_items_position ON list_items (list_id, position);

-- +goose Down
DROP TABLE list_items;
DROP TABLE lists;
DROP TABLE sign_in_throttles;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE invitations;
DROP TABLE users;
