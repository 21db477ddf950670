-- Watched products, the snapshots of what a check saw (kept only when something changed, and shared
-- by every watch of the same product, country and currency), the alerts they raised and each user's
-- alert delivery settings. It matches store/sqlite's 00004 table for table.

-- +goose Up
CREATE TABLE watches (
    id              BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    product_id      BIGINT NOT NULL CHECK (product_id > 0),
    country         TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    schedule        TEXT    NOT NULL CHECK (schedule IN ('hourly', '6h', 'daily', 'paused')),
    rule            TEXT    NOT NULL DEFAULT '',
    alert_rules     TEXT    NOT NULL DEFAULT '',
    title           TEXT    NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    next_check_at   TIMESTAMPTZ NOT NULL,
    last_checked_at TIMESTAMPTZ,
    seen_at         TIMESTAMPTZ,
    baseline_at     TIMESTAMPTZ,
    UNIQUE (user_id, product_id, country, currency)
);
CREATE INDEX watches_due ON watches (next_check_at) WHERE schedule <> 'paused';
CREATE INDEX watches_product ON watches (product_id, country, currency);

CREATE TABLE product_snapshots (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    product_id BIGINT NOT NULL,
    country    TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    taken_at   TIMESTAMPTZ NOT NULL,
    data       BYTEA    NOT NULL
);
CREATE INDEX product_snapshots_product ON product_snapshots (product_id, country, currency, taken_at);

CREATE TABLE alerts (
    id         BIGINT      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    watch_id   BIGINT NOT NULL REFERENCES watches (id) ON DELETE CASCADE,
    product_id BIGINT NOT NULL,
    kind       TEXT    NOT NULL,
    change_key TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ,
    UNIQUE (watch_id, change_key)
);
CREATE INDEX alerts_user ON alerts (user_id, created_at);

CREATE TABLE tracking_settings (
    user_id               BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    webhook_url           TEXT    NOT NULL DEFAULT '',
    sealed_webhook_secret TEXT    NOT NULL DEFAULT '', -- "<key id>:<base64 nonce|ciphertext>"
    email_alerts          BOOLEAN NOT NULL DEFAULT true,
    alert_rules           TEXT    NOT NULL DEFAULT '',
    updated_at            TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE tracking_settings;
DROP TABLE alerts;
DROP TABLE product_snapshots;
DROP TABLE watches;
