-- What placing supplier orders needs besides the orders: each user's settings (auto-pay, the
-- margin floor, the longest delivery), the store variants they mapped to AliExpress products, and
-- the bulk placements whose progress the orders page shows.

-- +goose Up
CREATE TABLE order_settings (
    user_id           INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    auto_pay          INTEGER NOT NULL DEFAULT 0,
    margin_floor_pct  REAL    NOT NULL DEFAULT 15,
    max_delivery_days INTEGER NOT NULL DEFAULT 0,
    updated_at        INTEGER NOT NULL
) STRICT;

CREATE TABLE variant_mappings (
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    store      TEXT    NOT NULL,
    store_sku  TEXT    NOT NULL,
    product_id TEXT    NOT NULL,
    sku_attr   TEXT    NOT NULL DEFAULT '',
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, store, store_sku)
) STRICT;

CREATE TABLE order_batches (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    order_ids  TEXT    NOT NULL, -- "1,2,3"
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX order_batches_user ON order_batches (user_id, id);

-- +goose Down
DROP TABLE order_batches;
DROP TABLE variant_mappings;
DROP TABLE order_settings;
