package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

const orderCols = `id, user_id, store, store_order_id, lines, address, state, problems, out_order_id, intent_at, outcome_at,
	ae_order_ids, message, ae_status, tracking, paid_at, amount_usd, next_check_at, version, created_at, updated_at, flags, report`

func scanOrder(s scanner) (store.Order, error) {
	var o store.Order
	var lines, addr, problems, aeIDs, tracking, flags, report string
	var intent, outcome, paid, next sql.NullInt64
	var created, updated int64
	err := s.Scan(&o.ID, &o.UserID, &o.Store, &o.StoreOrderID, &lines, &addr, &o.State, &problems, &o.OutOrderID,
		&intent, &outcome, &aeIDs, &o.Message, &o.AEStatus, &tracking, &paid, &o.AmountUSD, &next, &o.Version, &created, &updated, &flags, &report)
	if err != nil {
		return o, err
	}
	o.IntentAt, o.OutcomeAt, o.PaidAt, o.NextCheckAt = fromNullMicros(intent), fromNullMicros(outcome), fromNullMicros(paid), fromNullMicros(next)
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
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
	var out store.Order
	var created bool
	err := q.inTx(ctx, func(t *queries) error {
		got, err := scanOrder(t.w.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE user_id = ? AND store = ? AND store_order_id = ?`,
			o.UserID, strings.TrimSpace(o.Store), strings.TrimSpace(o.StoreOrderID)))
		if err == nil {
			out = got
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return dbErr("create order", err)
		}
		now := micros(t.clock())
		out, err = scanOrder(t.w.QueryRowContext(ctx, `
			INSERT INTO orders (user_id, store, store_order_id, lines, address, state, problems, tracking, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, '[]', '[]', ?7, ?7) RETURNING `+orderCols,
			o.UserID, strings.TrimSpace(o.Store), strings.TrimSpace(o.StoreOrderID), jsonText(o.Lines), jsonText(o.Address),
			store.OrderNew, now))
		if err != nil {
			return dbErr("create order", err)
		}
		created = true
		return nil
	})
	return out, created, err
}

// Order implements store.Orders.
func (q *queries) Order(ctx context.Context, userID, id int64) (store.Order, error) {
	o, err := scanOrder(q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE id = ? AND user_id = ?`, id, userID))
	if err != nil {
		return store.Order{}, dbErr("order", err)
	}
	return o, nil
}

// Orders implements store.Orders.
func (q *queries) Orders(ctx context.Context, userID int64) ([]store.Order, error) {
	return queryAll(ctx, q.r, "orders", scanOrder,
		`SELECT `+orderCols+` FROM orders WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
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
	out, err := scanOrder(q.w.QueryRowContext(ctx, `
		UPDATE orders SET lines = ?, address = ?, state = ?, problems = ?, ae_order_ids = ?, message = ?, ae_status = ?,
			tracking = ?, paid_at = ?, amount_usd = ?, next_check_at = ?, outcome_at = ?, flags = ?, updated_at = ?, version = version + 1
		WHERE id = ? AND user_id = ? AND version = ? RETURNING `+orderCols,
		jsonText(o.Lines), jsonText(o.Address), o.State, jsonText(o.Problems), store.AEOrderIDsText(o.AEOrderIDs), o.Message,
		o.AEStatus, jsonText(o.Tracking), nullMicros(o.PaidAt), o.AmountUSD, nullMicros(o.NextCheckAt), nullMicros(o.OutcomeAt),
		jsonText(o.Flags), micros(q.clock()), o.ID, o.UserID, o.Version))
	if errors.Is(err, sql.ErrNoRows) {
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
	o, err := scanOrder(q.w.QueryRowContext(ctx, `UPDATE orders SET report = ? WHERE id = ? AND user_id = ? RETURNING `+orderCols,
		jsonText(r), id, userID))
	if err != nil {
		return store.Order{}, dbErr("set order report", err)
	}
	return o, nil
}

// BeginPlacement implements store.Orders.
func (q *queries) BeginPlacement(ctx context.Context, userID, id int64, outOrderID string, recheckAt time.Time) (store.Order, error) {
	if strings.TrimSpace(outOrderID) == "" {
		return store.Order{}, fmt.Errorf("store: begin placement: %w: out_order_id is required", store.ErrInvalid)
	}
	var out store.Order
	err := q.inTx(ctx, func(t *queries) error {
		now := micros(t.clock())
		o, err := scanOrder(t.w.QueryRowContext(ctx, `
			UPDATE orders SET state = ?1, out_order_id = ?2, intent_at = ?3, outcome_at = NULL, message = '', updated_at = ?3, version = version + 1,
				next_check_at = ?6
			WHERE id = ?4 AND user_id = ?5 AND state IN ('new', 'checked', 'needs_attention') AND (intent_at IS NULL OR outcome_at IS NOT NULL)
			RETURNING `+orderCols, store.OrderPlacing, outOrderID, now, id, userID, nullMicros(recheckAt)))
		if err == nil {
			out = o
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return dbErr("begin placement", err)
		}
		if _, err := t.Order(ctx, userID, id); err != nil {
			return err
		}
		return fmt.Errorf("store: begin placement: %w: the order is being placed or was placed already", store.ErrConflict)
	})
	return out, err
}

// OrdersDue implements store.Orders.
func (q *queries) OrdersDue(ctx context.Context, now time.Time, limit int) ([]store.Order, error) {
	return queryAll(ctx, q.r, "orders due", scanOrder, `
		SELECT `+orderCols+` FROM orders
		WHERE next_check_at IS NOT NULL AND next_check_at <= ? AND state IN ('placing', 'placed', 'shipped')
		ORDER BY next_check_at, id LIMIT ?`, micros(now), limit)
}

// OrderByAEOrderID implements store.Orders.
func (q *queries) OrderByAEOrderID(ctx context.Context, aeOrderID int64) (store.Order, error) {
	o, err := scanOrder(q.r.QueryRowContext(ctx, `SELECT `+orderCols+` FROM orders WHERE ae_order_ids LIKE ? ORDER BY id LIMIT 1`,
		fmt.Sprintf("%%,%d,%%", aeOrderID)))
	if err != nil {
		return store.Order{}, dbErr("order by AliExpress id", err)
	}
	return o, nil
}

// PaidOrderTotals implements store.Orders.
func (q *queries) PaidOrderTotals(ctx context.Context, from, to time.Time) ([]store.UserOrderTotal, error) {
	return queryAll(ctx, q.r, "paid order totals", func(s scanner) (store.UserOrderTotal, error) {
		var u store.UserOrderTotal
		err := s.Scan(&u.UserID, &u.Orders, &u.AmountUSD)
		return u, err
	}, `SELECT user_id, COUNT(*), COALESCE(SUM(amount_usd), 0) FROM orders
		WHERE paid_at IS NOT NULL AND paid_at >= ? AND paid_at < ? GROUP BY user_id ORDER BY user_id`, micros(from), micros(to))
}
