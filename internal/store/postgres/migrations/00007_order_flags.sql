-- Supplier orders raise alerts of their own (no tracking after payment, no tracking event for
-- two days, a late delivery): an alert names a watch or an order. Orders keep their current flags
-- and the state of the sale's report to AliExpress (ds.member.orderdata.submit). It matches
-- store/sqlite's 00007.

-- +goose Up
ALTER TABLE orders ADD COLUMN flags TEXT NOT NULL DEFAULT '[]';
ALTER TABLE orders ADD COLUMN report TEXT NOT NULL DEFAULT '{}';

ALTER TABLE alerts ALTER COLUMN watch_id DROP NOT NULL;
ALTER TABLE alerts ADD COLUMN order_id BIGINT REFERENCES orders (id) ON DELETE CASCADE;
ALTER TABLE alerts ADD CONSTRAINT alerts_watch_or_order CHECK ((watch_id IS NULL) <> (order_id IS NULL));
CREATE UNIQUE INDEX alerts_order_change ON alerts (order_id, change_key) WHERE order_id IS NOT NULL;

-- +goose Down
DELETE FROM alerts WHERE order_id IS NOT NULL;
DROP INDEX alerts_order_change;
ALTER TABLE alerts DROP CONSTRAINT alerts_watch_or_order;
ALTER TABLE alerts DROP COLUMN order_id;
ALTER TABLE alerts ALTER COLUMN watch_id SET NOT NULL;
ALTER TABLE orders DROP COLUMN report;
ALTER TABLE orders DROP COLUMN flags;
