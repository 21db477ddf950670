package postgres

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store"
)

// OrderSettings implements store.Fulfilment.
func (q *queries) OrderSettings(ctx context.Context, userID int64) (store.OrderSettings, error) {
	s := store.OrderSettings{UserID: userID}
	err := q.db.QueryRow(ctx, `SELECT auto_pay, margin_floor_pct, max_delivery_days, updated_at
		FROM order_settings WHERE user_id = $1`, userID).Scan(&s.AutoPay, &s.MarginFloorPct, &s.MaxDeliveryDays, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.DefaultOrderSettings(userID), nil
	}
	if err != nil {
		return store.OrderSettings{}, dbErr("order settings", err)
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	return s, nil
}

// SaveOrderSettings implements store.Fulfilment.
func (q *queries) SaveOrderSettings(ctx context.Context, s store.OrderSettings) (store.OrderSettings, error) {
	now := q.clock()
	if _, err := execN(ctx, q.db, "save order settings", `
		INSERT INTO order_settings (user_id, auto_pay, margin_floor_pct, max_delivery_days, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET auto_pay = excluded.auto_pay, margin_floor_pct = excluded.margin_floor_pct,
			max_delivery_days = excluded.max_delivery_days, updated_at = excluded.updated_at`,
		s.UserID, s.AutoPay, s.MarginFloorPct, s.MaxDeliveryDays, us(now)); err != nil {
		return store.OrderSettings{}, err
	}
	s.UpdatedAt = now
	return s, nil
}

// SaveVariantMapping implements store.Fulfilment.
func (q *queries) SaveVariantMapping(ctx context.Context, m store.VariantMapping) (store.VariantMapping, error) {
	if err := store.CheckVariantMapping(m); err != nil {
		return store.VariantMapping{}, err
	}
	m.Store, m.StoreSKU = strings.TrimSpace(m.Store), strings.TrimSpace(m.StoreSKU)
	m.ProductID, m.SKUAttr = strings.TrimSpace(m.ProductID), strings.TrimSpace(m.SKUAttr)
	now := q.clock()
	if _, err := execN(ctx, q.db, "save variant mapping", `
		INSERT INTO variant_mappings (user_id, store, store_sku, product_id, sku_attr, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (user_id, store, store_sku) DO UPDATE SET product_id = excluded.product_id,
			sku_attr = excluded.sku_attr, updated_at = excluded.updated_at`,
		m.UserID, m.Store, m.StoreSKU, m.ProductID, m.SKUAttr, us(now)); err != nil {
		return store.VariantMapping{}, err
	}
	m.UpdatedAt = now
	return m, nil
}

// VariantMappings implements store.Fulfilment.
func (q *queries) VariantMappings(ctx context.Context, userID int64, storeName string) ([]store.VariantMapping, error) {
	return queryAll(ctx, q.db, "variant mappings", func(r scanner) (store.VariantMapping, error) {
		m := store.VariantMapping{UserID: userID}
		err := r.Scan(&m.Store, &m.StoreSKU, &m.ProductID, &m.SKUAttr, &m.UpdatedAt)
		m.UpdatedAt = m.UpdatedAt.UTC()
		return m, err
	}, `SELECT store, store_sku, product_id, sku_attr, updated_at FROM variant_mappings
		WHERE user_id = $1 AND store = $2 ORDER BY store_sku`, userID, strings.TrimSpace(storeName))
}

// CreateOrderBatch implements store.Fulfilment.
func (q *queries) CreateOrderBatch(ctx context.Context, userID int64, orderIDs []int64) (store.OrderBatch, error) {
	b := store.OrderBatch{UserID: userID, OrderIDs: orderIDs, CreatedAt: q.clock()}
	err := q.db.QueryRow(ctx, `INSERT INTO order_batches (user_id, order_ids, created_at) VALUES ($1, $2, $3) RETURNING id`,
		userID, store.IDsText(orderIDs), us(b.CreatedAt)).Scan(&b.ID)
	if err != nil {
		return store.OrderBatch{}, dbErr("create order batch", err)
	}
	return b, nil
}

// OrderBatch implements store.Fulfilment.
func (q *queries) OrderBatch(ctx context.Context, userID, id int64) (store.OrderBatch, error) {
	return scanBatch(q.db.QueryRow(ctx, `SELECT id, user_id, order_ids, created_at FROM order_batches
		WHERE id = $1 AND user_id = $2`, id, userID))
}

// LatestOrderBatch implements store.Fulfilment.
func (q *queries) LatestOrderBatch(ctx context.Context, userID int64) (store.OrderBatch, error) {
	return scanBatch(q.db.QueryRow(ctx, `SELECT id, user_id, order_ids, created_at FROM order_batches
		WHERE user_id = $1 ORDER BY id DESC LIMIT 1`, userID))
}

func scanBatch(r scanner) (store.OrderBatch, error) {
	var b store.OrderBatch
	var ids string
	var created time.Time
	if err := r.Scan(&b.ID, &b.UserID, &ids, &created); err != nil {
		return store.OrderBatch{}, dbErr("order batch", err)
	}
	b.OrderIDs = store.ParseAEOrderIDs(ids)
	b.CreatedAt = created.UTC()
	return b, nil
}
