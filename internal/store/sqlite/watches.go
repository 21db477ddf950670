package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// Watches, product snapshots, alerts and tracking settings.

const watchCols = `id, user_id, product_id, country, currency, schedule, rule, alert_rules, title,
	created_at, updated_at, next_check_at, last_checked_at, seen_at, baseline_at`

func scanWatch(s scanner) (store.Watch, error) {
	var w store.Watch
	var created, updated, next int64
	var checked, seen, baseline sql.NullInt64
	err := s.Scan(&w.ID, &w.UserID, &w.ProductID, &w.Country, &w.Currency, &w.Schedule, &w.Rule, &w.AlertRules,
		&w.Title, &created, &updated, &next, &checked, &seen, &baseline)
	w.CreatedAt, w.UpdatedAt, w.NextCheckAt = fromMicros(created), fromMicros(updated), fromMicros(next)
	w.LastCheckedAt, w.SeenAt, w.BaselineAt = fromNullMicros(checked), fromNullMicros(seen), fromNullMicros(baseline)
	return w, err
}

// idList is ids as a JSON array for json_each.
func idList(ids []int64) string {
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

// CreateWatch implements store.Watches.
func (q *queries) CreateWatch(ctx context.Context, w store.Watch) (store.Watch, error) {
	if err := store.CheckWatch(w); err != nil {
		return store.Watch{}, fmt.Errorf("store: create watch: %w", err)
	}
	now := micros(q.clock())
	saved, err := scanWatch(q.w.QueryRowContext(ctx, `
		INSERT INTO watches (user_id, product_id, country, currency, schedule, rule, alert_rules, title,
			created_at, updated_at, next_check_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING `+watchCols,
		w.UserID, w.ProductID, w.Country, w.Currency, w.Schedule, w.Rule, w.AlertRules, w.Title, now, now,
		micros(w.NextCheckAt)))
	if err != nil {
		return store.Watch{}, dbErr("create watch", err)
	}
	return saved, nil
}

// Watch implements store.Watches.
func (q *queries) Watch(ctx context.Context, userID, id int64) (store.Watch, error) {
	w, err := scanWatch(q.r.QueryRowContext(ctx, `SELECT `+watchCols+` FROM watches WHERE id = ? AND user_id = ?`, id, userID))
	if err != nil {
		return store.Watch{}, dbErr("watch", err)
	}
	return w, nil
}

// Watches implements store.Watches.
func (q *queries) Watches(ctx context.Context, userID int64) ([]store.Watch, error) {
	return queryAll(ctx, q.r, "watches", scanWatch,
		`SELECT `+watchCols+` FROM watches WHERE user_id = ? ORDER BY created_at, id`, userID)
}

// CountWatches implements store.Watches.
func (q *queries) CountWatches(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := q.r.QueryRowContext(ctx, `SELECT count(*) FROM watches WHERE user_id = ?`, userID).Scan(&n); err != nil {
		return 0, dbErr("count watches", err)
	}
	return n, nil
}

// UpdateWatch implements store.Watches.
func (q *queries) UpdateWatch(ctx context.Context, w store.Watch) (store.Watch, error) {
	if err := store.CheckWatch(w); err != nil {
		return store.Watch{}, fmt.Errorf("store: update watch: %w", err)
	}
	saved, err := scanWatch(q.w.QueryRowContext(ctx, `
		UPDATE watches SET schedule = ?, rule = ?, alert_rules = ?, next_check_at = ?, updated_at = ?
		WHERE id = ? AND user_id = ?
		RETURNING `+watchCols,
		w.Schedule, w.Rule, w.AlertRules, micros(w.NextCheckAt), micros(q.clock()), w.ID, w.UserID))
	if err != nil {
		return store.Watch{}, dbErr("update watch", err)
	}
	return saved, nil
}

// DeleteWatch implements store.Watches.
func (q *queries) DeleteWatch(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.w, "delete watch", `DELETE FROM watches WHERE id = ? AND user_id = ?`, id, userID)
}

// DueWatches implements store.Watches.
func (q *queries) DueWatches(ctx context.Context, t time.Time, limit int) ([]store.Watch, error) {
	return queryAll(ctx, q.r, "due watches", scanWatch, `
		SELECT `+watchCols+` FROM watches WHERE schedule <> 'paused' AND next_check_at <= ?
		ORDER BY next_check_at, id LIMIT ?`, micros(t), limit)
}

// WatchesOfProduct implements store.Watches.
func (q *queries) WatchesOfProduct(ctx context.Context, productID int64, country, currency string) ([]store.Watch, error) {
	return queryAll(ctx, q.r, "watches of product", scanWatch, `
		SELECT `+watchCols+` FROM watches WHERE product_id = ? AND country = ? AND currency = ?
		ORDER BY id`, productID, country, currency)
}

// SetWatchChecked implements store.Watches.
func (q *queries) SetWatchChecked(ctx context.Context, id int64, checkedAt, next time.Time, title string) error {
	return exec1(ctx, q.w, "set watch checked", `
		UPDATE watches SET last_checked_at = ?, next_check_at = ?, title = CASE WHEN ? = '' THEN title ELSE ? END
		WHERE id = ?`, micros(checkedAt), micros(next), title, title, id)
}

// SetWatchesDue implements store.Watches.
func (q *queries) SetWatchesDue(ctx context.Context, userID int64, ids []int64, t time.Time) (int64, error) {
	if ids == nil {
		return execN(ctx, q.w, "set watches due", `
			UPDATE watches SET next_check_at = ? WHERE user_id = ? AND schedule <> 'paused'`, micros(t), userID)
	}
	return execN(ctx, q.w, "set watches due", `
		UPDATE watches SET next_check_at = ? WHERE user_id = ? AND schedule <> 'paused'
			AND id IN (SELECT value FROM json_each(?))`, micros(t), userID, idList(ids))
}

// PostponeWatches implements store.Watches.
func (q *queries) PostponeWatches(ctx context.Context, ids []int64, t time.Time) error {
	_, err := execN(ctx, q.w, "postpone watches", `
		UPDATE watches SET next_check_at = ? WHERE id IN (SELECT value FROM json_each(?))`, micros(t), idList(ids))
	return err
}

// SeeWatch implements store.Watches.
func (q *queries) SeeWatch(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.w, "see watch", `UPDATE watches SET seen_at = ? WHERE id = ? AND user_id = ?`,
		micros(q.clock()), id, userID)
}

// SetWatchBaseline implements store.Watches.
func (q *queries) SetWatchBaseline(ctx context.Context, userID, id int64) error {
	if id == 0 {
		_, err := execN(ctx, q.w, "set watch baseline", `UPDATE watches SET baseline_at = ? WHERE user_id = ?`,
			micros(q.clock()), userID)
		return err
	}
	return exec1(ctx, q.w, "set watch baseline", `UPDATE watches SET baseline_at = ? WHERE id = ? AND user_id = ?`,
		micros(q.clock()), id, userID)
}

const snapshotCols = `id, product_id, country, currency, taken_at, data`

func scanSnapshot(s scanner) (store.Snapshot, error) {
	var sn store.Snapshot
	var taken int64
	err := s.Scan(&sn.ID, &sn.ProductID, &sn.Country, &sn.Currency, &taken, &sn.Data)
	sn.TakenAt = fromMicros(taken)
	return sn, err
}

// AddSnapshot implements store.Watches.
func (q *queries) AddSnapshot(ctx context.Context, s store.Snapshot) (store.Snapshot, error) {
	if s.ProductID <= 0 || len(s.Data) == 0 {
		return store.Snapshot{}, fmt.Errorf("store: add snapshot: product %d with %d bytes: %w", s.ProductID, len(s.Data), store.ErrInvalid)
	}
	saved, err := scanSnapshot(q.w.QueryRowContext(ctx, `
		INSERT INTO product_snapshots (product_id, country, currency, taken_at, data) VALUES (?, ?, ?, ?, ?)
		RETURNING `+snapshotCols, s.ProductID, s.Country, s.Currency, micros(s.TakenAt), s.Data))
	if err != nil {
		return store.Snapshot{}, dbErr("add snapshot", err)
	}
	return saved, nil
}

// LatestSnapshot implements store.Watches.
func (q *queries) LatestSnapshot(ctx context.Context, productID int64, country, currency string) (store.Snapshot, error) {
	s, err := scanSnapshot(q.r.QueryRowContext(ctx, `
		SELECT `+snapshotCols+` FROM product_snapshots WHERE product_id = ? AND country = ? AND currency = ?
		ORDER BY taken_at DESC, id DESC LIMIT 1`, productID, country, currency))
	if err != nil {
		return store.Snapshot{}, dbErr("latest snapshot", err)
	}
	return s, nil
}

// Snapshots implements store.Watches.
func (q *queries) Snapshots(ctx context.Context, productID int64, country, currency string, since time.Time, limit int) ([]store.Snapshot, error) {
	return queryAll(ctx, q.r, "snapshots", scanSnapshot, `
		SELECT * FROM (SELECT `+snapshotCols+` FROM product_snapshots
			WHERE product_id = ? AND country = ? AND currency = ? AND taken_at >= ?
			ORDER BY taken_at DESC, id DESC LIMIT ?)
		ORDER BY taken_at, id`, productID, country, currency, micros(since), limit)
}

// CountSnapshots implements store.Watches.
func (q *queries) CountSnapshots(ctx context.Context) (int64, error) {
	var n int64
	if err := q.r.QueryRowContext(ctx, `SELECT count(*) FROM product_snapshots`).Scan(&n); err != nil {
		return 0, dbErr("count snapshots", err)
	}
	return n, nil
}

const alertCols = `id, user_id, watch_id, order_id, product_id, kind, change_key, message, detail, created_at, read_at`

func scanAlert(s scanner) (store.Alert, error) {
	var a store.Alert
	var created int64
	var read, watch, order sql.NullInt64
	err := s.Scan(&a.ID, &a.UserID, &watch, &order, &a.ProductID, &a.Kind, &a.Key, &a.Message, &a.Detail, &created, &read)
	a.WatchID, a.OrderID = watch.Int64, order.Int64
	a.CreatedAt, a.ReadAt = fromMicros(created), fromNullMicros(read)
	return a, err
}

// AddAlert implements store.Watches.
func (q *queries) AddAlert(ctx context.Context, a store.Alert) (store.Alert, bool, error) {
	if a.Kind == "" || a.Key == "" {
		return store.Alert{}, false, fmt.Errorf("store: add alert: kind and key are required: %w", store.ErrInvalid)
	}
	if a.OrderID != 0 {
		return q.addOrderAlert(ctx, a)
	}
	saved, err := scanAlert(q.w.QueryRowContext(ctx, `
		INSERT INTO alerts (user_id, watch_id, product_id, kind, change_key, message, detail, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM watches WHERE id = ? AND user_id = ?)
		ON CONFLICT (watch_id, change_key) DO NOTHING
		RETURNING `+alertCols,
		a.UserID, a.WatchID, a.ProductID, a.Kind, a.Key, a.Message, a.Detail, micros(q.clock()), a.WatchID, a.UserID))
	if err == nil {
		return saved, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	old, err := scanAlert(q.w.QueryRowContext(ctx, `SELECT `+alertCols+` FROM alerts
		WHERE watch_id = ? AND change_key = ? AND user_id = ?`, a.WatchID, a.Key, a.UserID))
	if err != nil {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	return old, false, nil
}

// addOrderAlert stores an alert about one of the user's orders, once per order and key.
func (q *queries) addOrderAlert(ctx context.Context, a store.Alert) (store.Alert, bool, error) {
	saved, err := scanAlert(q.w.QueryRowContext(ctx, `
		INSERT INTO alerts (user_id, order_id, product_id, kind, change_key, message, detail, created_at)
		SELECT ?, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM orders WHERE id = ? AND user_id = ?)
		ON CONFLICT DO NOTHING
		RETURNING `+alertCols,
		a.UserID, a.OrderID, a.ProductID, a.Kind, a.Key, a.Message, a.Detail, micros(q.clock()), a.OrderID, a.UserID))
	if err == nil {
		return saved, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	old, err := scanAlert(q.w.QueryRowContext(ctx, `SELECT `+alertCols+` FROM alerts
		WHERE order_id = ? AND change_key = ? AND user_id = ?`, a.OrderID, a.Key, a.UserID))
	if err != nil {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	return old, false, nil
}

// Alert implements store.Watches.
func (q *queries) Alert(ctx context.Context, id int64) (store.Alert, error) {
	a, err := scanAlert(q.r.QueryRowContext(ctx, `SELECT `+alertCols+` FROM alerts WHERE id = ?`, id))
	if err != nil {
		return store.Alert{}, dbErr("alert", err)
	}
	return a, nil
}

// Alerts implements store.Watches.
func (q *queries) Alerts(ctx context.Context, userID int64, unread bool, limit int) ([]store.Alert, error) {
	return queryAll(ctx, q.r, "alerts", scanAlert, `
		SELECT `+alertCols+` FROM alerts WHERE user_id = ? AND (NOT ? OR read_at IS NULL)
		ORDER BY created_at DESC, id DESC LIMIT ?`, userID, unread, limit)
}

// CountUnreadAlerts implements store.Watches.
func (q *queries) CountUnreadAlerts(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := q.r.QueryRowContext(ctx, `SELECT count(*) FROM alerts WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, dbErr("count unread alerts", err)
	}
	return n, nil
}

// MarkAlertsRead implements store.Watches.
func (q *queries) MarkAlertsRead(ctx context.Context, userID int64, ids []int64) (int64, error) {
	if ids == nil {
		return execN(ctx, q.w, "mark alerts read", `UPDATE alerts SET read_at = ? WHERE user_id = ? AND read_at IS NULL`,
			micros(q.clock()), userID)
	}
	return execN(ctx, q.w, "mark alerts read", `UPDATE alerts SET read_at = ? WHERE user_id = ? AND read_at IS NULL
		AND id IN (SELECT value FROM json_each(?))`, micros(q.clock()), userID, idList(ids))
}

// TrackingSettings implements store.Watches.
func (q *queries) TrackingSettings(ctx context.Context, userID int64) (store.TrackingSettings, error) {
	s := store.TrackingSettings{UserID: userID}
	var updated int64
	err := q.r.QueryRowContext(ctx, `SELECT webhook_url, sealed_webhook_secret, email_alerts, alert_rules, updated_at
		FROM tracking_settings WHERE user_id = ?`, userID).Scan(&s.WebhookURL, &s.SealedWebhookSecret, &s.EmailAlerts, &s.AlertRules, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return store.TrackingSettings{UserID: userID, EmailAlerts: true}, nil
	}
	if err != nil {
		return store.TrackingSettings{}, dbErr("tracking settings", err)
	}
	s.UpdatedAt = fromMicros(updated)
	return s, nil
}

// SaveTrackingSettings implements store.Watches.
func (q *queries) SaveTrackingSettings(ctx context.Context, s store.TrackingSettings) (store.TrackingSettings, error) {
	now := q.clock()
	_, err := execN(ctx, q.w, "save tracking settings", `
		INSERT INTO tracking_settings (user_id, webhook_url, sealed_webhook_secret, email_alerts, alert_rules, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET webhook_url = excluded.webhook_url,
			sealed_webhook_secret = excluded.sealed_webhook_secret, email_alerts = excluded.email_alerts,
			alert_rules = excluded.alert_rules, updated_at = excluded.updated_at`,
		s.UserID, s.WebhookURL, s.SealedWebhookSecret, s.EmailAlerts, s.AlertRules, micros(now))
	if err != nil {
		return store.TrackingSettings{}, err
	}
	s.UpdatedAt = now
	return s, nil
}
