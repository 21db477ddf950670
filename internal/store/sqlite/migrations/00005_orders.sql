-- Supplier orders: a store's order to buy from AliExpress, with the intent and outcome of its
-- placement, so a crash between them is resolved by asking AliExpress, never by placing again.

-- +goose Up
CREATE TABLE orders (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    store          TEXT    NOT NULL,
    store_order_id TEXT    NOT NULL,
    lines          TEXT    NOT NULL, -- JSON
    address        TEXT    NOT NULL, -- JSON
    state          TEXT    NOT NULL,
    problems       TEXT    NOT NULL DEFAULT '[]',
    out_order_id   TEXT    NOT NULL DEFAULT '',
    intent_at      INTEGER,
    outcome_at     INTEGER,
    ae_order_ids   TEXT    NOT NULL DEFAULT '', -- ",id1,id2,"
    message        TEXT    NOT NULL DEFAULT '',
    ae_status      TEXT    NOT NULL DEFAULT '',
    tracking       TEXT    NOT NULL DEFAULT '[]',
    paid_at        INTEGER,
    amount_usd     INTEGER NOT NULL DEFAULT 0,
    version        INTEGER NOT NULL DEFAULT 0, -- counts writes, so a stale one is refused
    next_check_at  INTEGER,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (user_id, store, store_order_id)
) STRICT;
CREATE INDEX orders_user ON orders (user_id, created_at);
CREATE INDEX orders_due ON orders (next_check_at) WHERE next_check_at IS NOT NULL;
CREATE INDEX orders_paid ON orders (paid_at) WHERE paid_at IS NOT NULL;

-- +goose Down
DROP TABLE orders;
