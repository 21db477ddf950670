package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store"
)

const orderCols = `id, user_id, store, store_order_id, lines, address, state, problems, out_order_id, intent_at, outcome_at,
	ae_order_ids, message, ae_status, tracking, paid_at, amount_usd, next_check_at, version, created_at, updated_at, flags, report`

func scanOrder(s scanner) (store.Order, error) {
	var o store.Order
	var lines, addr, problems, aeIDs, tracking, state, flags, report string
	var intent, outcome, paid, next *time.Time
	err := s.Scan(&o.ID, &o.UserID, &o.Store, &o.StoreOrderID, &lines, &addr, &state, &problems, &o.OutOrderID,
		&intent, &outcome, &aeIDs, &o.Message, &o.AEStatus, &tracking, &paid, &o.AmountUSD, &next, &o.Version, &o.CreatedAt, &o.UpdatedAt, &flags, &report)
	if err != nil {
		return o, err
	}
	o.State = store.OrderState(state)
	o.IntentAt, o.OutcomeAt, o.PaidAt, o.NextCheckAt = utc(intent), utc(outcome), utc(paid), utc(next)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	o.AEOrderIDs = store.ParseAEOrderIDs(aeIDs)
	for _, f := range []struct {
		raw string
		v   any
	}{{lines, &o.Lines}, {addr, &o.Address}, {problems, &o.Problems}, {tracking, &o.Tracking}, {flags, &o.Flags}, {report, &o.Report}} {
		if err := json.Unmarshal([]byte(f.raw), f.v); err != nil {
			return o, fmt.Errorf("order %d: %w", o.ID, err)
		}
	}
	for i := range o.Tracking {
		if !o.Tracking[i].LastEventAt.IsZero() {
			o.Tracking[i].LastEventAt = o.Tracking[i].LastEventAt.UTC()
		}
	}
	for i := range o.Flags {
		o.Flags[i].Since = o.Flags[i].Since.UTC()
	}
	if !o.Report.SentAt.IsZero() {
		o.Report.SentAt = o.Report.SentAt.UTC()
	}
	return o, nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain structs are encoded
	}
	return string(b)
}

// CreateOrder implements store.Orders.
func (q *queries) CreateOrder(ctx context.Context, o store.Order) (store.Order, bool, error) {
	if err := store.CheckOrder(o); err != nil {
		return store.Order{}, false, fmt.Errorf("store: create order: %w", err)
	}
	storeName, storeOrder := strings.TrimSpace(o.Store), strings.TrimSpace(o.StoreOrderID)
	out, err := scanOrder(q.db.QueryRow(ctx, `
		INSERT INTO orders (user_id, store, store_order_id, lines, address, state, problems, tracking, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, '[]', '[]', $7, $7)
		ON CONFLICT (user_id, store, store_order_id) DO NOTHING RETURNING `+orderCols,
		o.UserID, storeName, storeOrder, jsonText(o.Lines), jsonText(o.Address), string(store.OrderNew), q.clock()))
	if err == nil {
		return out, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Order{}, false, dbErr("create order", err)
	}
	out, err = scanOrder(q.db.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE user_id = $1 AND store = $2 AND store_order_id = $3`,
		o.UserID, storeName, storeOrder))
	if err != nil {
		return store.Order{}, false, dbErr("create order", err)
	}
	return out, false, nil
}

// Order implements store.Orders.
func (q *queries) Order(ctx context.Context, userID, id int64) (store.Order, error) {
	o, err := scanOrder(q.db.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return store.Order{}, dbErr("order", err)
	}
	return o, nil
}

// Orders implements store.Orders.
func (q *queries) Orders(ctx context.Context, userID int64) ([]store.Order, error) {
	return queryAll(ctx, q.db, "orders", scanOrder,
		`SELECT `+orderCols+` FROM orders WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
}

// UpdateOrder implements store.Orders.
func (q *queries) UpdateOrder(ctx context.Context, o store.Order) (store.Order, error) {
	if !o.State.Valid() {
		return store.Order{}, fmt.Errorf("store: update order: %w: state %q", store.ErrInvalid, o.State)
	}
	if o.Problems == nil {
		o.Problems = []store.OrderProblem{}
	}
	if o.Tracking == nil {
		o.Tracking = []store.OrderTracking{}
	}
	if o.Flags == nil {
		o.Flags = []store.OrderFlag{}
	}
	out, err := scanOrder(q.db.QueryRow(ctx, `
		UPDATE orders SET lines = $1, address = $2, state = $3, problems = $4, ae_order_ids = $5, message = $6, ae_status = $7,
			tracking = $8, paid_at = $9, amount_usd = $10, next_check_at = $11, outcome_at = $12, updated_at = $13, version = version + 1,
			flags = $17
		WHERE id = $14 AND user_id = $15 AND version = $16 RETURNING `+orderCols,
		jsonText(o.Lines), jsonText(o.Address), string(o.State), jsonText(o.Problems), store.AEOrderIDsText(o.AEOrderIDs), o.Message,
		o.AEStatus, jsonText(o.Tracking), nullTime(o.PaidAt), o.AmountUSD, nullTime(o.NextCheckAt), nullTime(o.OutcomeAt),
		q.clock(), o.ID, o.UserID, o.Version, jsonText(o.Flags)))
	if errors.Is(err, pgx.ErrNoRows) {
		if _, err := q.Order(ctx, o.UserID, o.ID); err != nil {
			return store.Order{}, err
		}
		return store.Order{}, fmt.Errorf("store: update order: %w: the order changed since it was read", store.ErrConflict)
	}
	if err != nil {
		return store.Order{}, dbErr("update order", err)
	}
	return out, nil
}

// SetOrderReport implements store.Orders.
func (q *queries) SetOrderReport(ctx context.Context, userID, id int64, r store.OrderReport) (store.Order, error) {
	o, err := scanOrder(q.db.QueryRow(ctx, `UPDATE orders SET report = $1 WHERE id = $2 AND user_id = $3 RETURNING `+orderCols,
		jsonText(r), id, userID))
	if err != nil {
		return store.Order{}, dbErr("set order report", err)
	}
	return o, nil
}

// BeginPlacement implements store.Orders. The conditional UPDATE takes the row lock, so of two
// concurrent placers the second finds the state changed and gets ErrConflict.
func (q *queries) BeginPlacement(ctx context.Context, userID, id int64, outOrderID string, recheckAt time.Time) (store.Order, error) {
	if strings.TrimSpace(outOrderID) == "" {
		return store.Order{}, fmt.Errorf("store: begin placement: %w: out_order_id is required", store.ErrInvalid)
	}
	o, err := scanOrder(q.db.QueryRow(ctx, `
		UPDATE orders SET state = $1, out_order_id = $2, intent_at = $3, outcome_at = NULL, message = '', updated_at = $3, version = version + 1,
			next_check_at = $6
		WHERE id = $4 AND user_id = $5 AND state IN ('new', 'checked', 'needs_attention') AND (intent_at IS NULL OR outcome_at IS NOT NULL)
		RETURNING `+orderCols, string(store.OrderPlacing), outOrderID, q.clock(), id, userID, nullTime(recheckAt)))
	if err == nil {
		return o, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Order{}, dbErr("begin placement", err)
	}
	if _, err := q.Order(ctx, userID, id); err != nil {
		return store.Order{}, err
	}
	return store.Order{}, fmt.Errorf("store: begin placement: %w: the order is being placed or was placed already", store.ErrConflict)
}

// OrdersDue implements store.Orders.
func (q *queries) OrdersDue(ctx context.Context, now time.Time, limit int) ([]store.Order, error) {
	return queryAll(ctx, q.db, "orders due", scanOrder, `
		SELECT `+orderCols+` FROM orders
		WHERE next_check_at IS NOT NULL AND next_check_at <= $1 AND state IN ('placing', 'placed', 'shipped')
		ORDER BY next_check_at, id LIMIT $2`, us(now), limit)
}

// OrderByAEOrderID implements store.Orders.
func (q *queries) OrderByAEOrderID(ctx context.Context, aeOrderID int64) (store.Order, error) {
	o, err := scanOrder(q.db.QueryRow(ctx, `SELECT `+orderCols+` FROM orders WHERE ae_order_ids LIKE $1 ORDER BY id LIMIT 1`,
		fmt.Sprintf("%%,%d,%%", aeOrderID)))
	if err != nil {
		return store.Order{}, dbErr("order by AliExpress id", err)
	}
	return o, nil
}

// PaidOrderTotals implements store.Orders.
func (q *queries) PaidOrderTotals(ctx context.Context, from, to time.Time) ([]store.UserOrderTotal, error) {
	return queryAll(ctx, q.db, "paid order totals", func(s scanner) (store.UserOrderTotal, error) {
		var u store.UserOrderTotal
		err := s.Scan(&u.UserID, &u.Orders, &u.AmountUSD)
		return u, err
	}, `SELECT user_id, COUNT(*), COALESCE(SUM(amount_usd), 0)::BIGINT FROM orders
		WHERE paid_at IS NOT NULL AND paid_at >= $1 AND paid_at < $2 GROUP BY user_id ORDER BY user_id`, us(from), us(to))
}
