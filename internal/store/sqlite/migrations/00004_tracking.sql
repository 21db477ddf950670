-- Watched products, the snapshots of what a check saw (kept only when something changed, and shared
-- by every watch of the same product, country and currency), the alerts they raised and each user's
-- alert delivery settings. Times are INTEGER microseconds since the Unix epoch, UTC.

-- +goose Up
CREATE TABLE watches (
    id              INTEGER PRIMARY KEY,
    user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id      INTEGER NOT NULL CHECK (product_id > 0),
    country         TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    schedule        TEXT    NOT NULL CHECK (schedule IN ('hourly', '6h', 'daily', 'paused')),
    rule            TEXT    NOT NULL DEFAULT '',
    alert_rules     TEXT    NOT NULL DEFAULT '',
    title           TEXT    NOT NULL DEFAULT '',
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    next_check_at   INTEGER NOT NULL,
    last_checked_at INTEGER,
    seen_at         INTEGER,
    baseline_at     INTEGER,
    UNIQUE (user_id, product_id, country, currency)
) STRICT;
CREATE INDEX watches_due ON watches (next_check_at) WHERE schedule <> 'paused';
CREATE INDEX watches_product ON watches (product_id, country, currency);

CREATE TABLE product_snapshots (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL,
    country    TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    taken_at   INTEGER NOT NULL,
    data       BLOB    NOT NULL
) STRICT;
CREATE INDEX product_snapshots_product ON product_snapshots (product_id, country, currency, taken_at);

CREATE TABLE alerts (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    watch_id   INTEGER NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    change_key TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    UNIQUE (watch_id, change_key)
) STRICT;
CREATE INDEX alerts_user ON alerts (user_id, created_at);

CREATE TABLE tracking_settings (
    user_id               INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    webhook_url           TEXT    NOT NULL DEFAULT '',
    sealed_webhook_secret TEXT    NOT NULL DEFAULT '', -- "<key id>:<base64 nonce|ciphertext>"
    email_alerts          INTEGER NOT NULL DEFAULT 1,
    alert_rules           TEXT    NOT NULL DEFAULT '',
    updated_at            INTEGER NOT NULL
) STRICT;

-- +goose Down
DROP TABLE tracking_settings;
DROP TABLE alerts;
DROP TABLE product_snapshots;
DROP TABLE watches;
