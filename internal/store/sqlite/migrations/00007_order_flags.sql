-- Supplier orders raise alerts of their own (no tracking after payment, no tracking event for
-- two days, a late delivery): an alert names a watch or an order. Orders keep their current flags
-- and the state of the sale's report to AliExpress (ds.member.orderdata.submit).

-- +goose Up
ALTER TABLE orders ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE orders ADD COLUMN report TEXT NOT NULL DEFAULT '{}';

CREATE TABLE alerts_new (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    watch_id   INTEGER REFERENCES watches (id) ON DELETE CASCADE,
    order_id   INTEGER REFERENCES orders (id) ON DELETE CASCADE,
    product_id INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    change_key TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    read_at    INTEGER,
    UNIQUE (watch_id, change_key),
    CHECK ((watch_id IS NULL) <> (order_id IS NULL))
) STRICT;
INSERT INTO alerts_new (id, user_id, watch_id, product_id, kind, change_key, message, detail, created_at, read_at)
    SELECT id, user_id, watch_id, product_id, kind, change_key, message, detail, created_at, read_at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_new RENAME TO alerts;
CREATE INDEX alerts_user ON alerts (user_id, created_at);
CREATE UNIQUE INDEX alerts_order_change ON alerts (order_id, change_key) WHERE order_id IS NOT NULL;

-- +goose Down
DELETE FROM alerts WHERE order_id IS NOT NULL;
CREATE TABLE alerts_old (
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
INSERT INTO alerts_old SELECT id, user_id, watch_id, product_id, kind, change_key, message, detail, created_at, read_at FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_old RENAME TO alerts;
CREATE INDEX alerts_user ON alerts (user_id, created_at);
ALTER TABLE orders DROP COLUMN report;
ALTER TABLE orders DROP COLUMN flags;
