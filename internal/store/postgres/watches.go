package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store"
)

// Watches, product snapshots, alerts and tracking settings.

const watchCols = `id, user_id, product_id, country, currency, schedule, rule, alert_rules, title,
	created_at, updated_at, next_check_at, last_checked_at, seen_at, baseline_at`

func scanWatch(s scanner) (store.Watch, error) {
	var w store.Watch
	var checked, seen, baseline *time.Time
	err := s.Scan(&w.ID, &w.UserID, &w.ProductID, &w.Country, &w.Currency, &w.Schedule, &w.Rule, &w.AlertRules,
		&w.Title, &w.CreatedAt, &w.UpdatedAt, &w.NextCheckAt, &checked, &seen, &baseline)
	w.CreatedAt, w.UpdatedAt, w.NextCheckAt = w.CreatedAt.UTC(), w.UpdatedAt.UTC(), w.NextCheckAt.UTC()
	w.LastCheckedAt, w.SeenAt, w.BaselineAt = utc(checked), utc(seen), utc(baseline)
	return w, err
}

// CreateWatch implements store.Watches.
func (q *queries) CreateWatch(ctx context.Context, w store.Watch) (store.Watch, error) {
	if err := store.CheckWatch(w); err != nil {
		return store.Watch{}, fmt.Errorf("store: create watch: %w", err)
	}
	now := q.clock()
	saved, err := scanWatch(q.db.QueryRow(ctx, `
		INSERT INTO watches (user_id, product_id, country, currency, schedule, rule, alert_rules, title,
			created_at, updated_at, next_check_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING `+watchCols,
		w.UserID, w.ProductID, w.Country, w.Currency, w.Schedule, w.Rule, w.AlertRules, w.Title, now, now,
		us(w.NextCheckAt)))
	if err != nil {
		return store.Watch{}, dbErr("create watch", err)
	}
	return saved, nil
}

// Watch implements store.Watches.
func (q *queries) Watch(ctx context.Context, userID, id int64) (store.Watch, error) {
	w, err := scanWatch(q.db.QueryRow(ctx, `SELECT `+watchCols+` FROM watches WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return store.Watch{}, dbErr("watch", err)
	}
	return w, nil
}

// Watches implements store.Watches.
func (q *queries) Watches(ctx context.Context, userID int64) ([]store.Watch, error) {
	return queryAll(ctx, q.db, "watches", scanWatch,
		`SELECT `+watchCols+` FROM watches WHERE user_id = $1 ORDER BY created_at, id`, userID)
}

// CountWatches implements store.Watches.
func (q *queries) CountWatches(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := q.db.QueryRow(ctx, `SELECT count(*) FROM watches WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return 0, dbErr("count watches", err)
	}
	return n, nil
}

// UpdateWatch implements store.Watches.
func (q *queries) UpdateWatch(ctx context.Context, w store.Watch) (store.Watch, error) {
	if err := store.CheckWatch(w); err != nil {
		return store.Watch{}, fmt.Errorf("store: update watch: %w", err)
	}
	saved, err := scanWatch(q.db.QueryRow(ctx, `
		UPDATE watches SET schedule = $1, rule = $2, alert_rules = $3, next_check_at = $4, updated_at = $5
		WHERE id = $6 AND user_id = $7
		RETURNING `+watchCols,
		w.Schedule, w.Rule, w.AlertRules, us(w.NextCheckAt), us(q.clock()), w.ID, w.UserID))
	if err != nil {
		return store.Watch{}, dbErr("update watch", err)
	}
	return saved, nil
}

// DeleteWatch implements store.Watches.
func (q *queries) DeleteWatch(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.db, "delete watch", `DELETE FROM watches WHERE id = $1 AND user_id = $2`, id, userID)
}

// DueWatches implements store.Watches.
func (q *queries) DueWatches(ctx context.Context, t time.Time, limit int) ([]store.Watch, error) {
	return queryAll(ctx, q.db, "due watches", scanWatch, `
		SELECT `+watchCols+` FROM watches WHERE schedule <> 'paused' AND next_check_at <= $1
		ORDER BY next_check_at, id LIMIT $2`, us(t), limit)
}

// WatchesOfProduct implements store.Watches.
func (q *queries) WatchesOfProduct(ctx context.Context, productID int64, country, currency string) ([]store.Watch, error) {
	return queryAll(ctx, q.db, "watches of product", scanWatch, `
		SELECT `+watchCols+` FROM watches WHERE product_id = $1 AND country = $2 AND currency = $3
		ORDER BY id`, productID, country, currency)
}

// SetWatchChecked implements store.Watches.
func (q *queries) SetWatchChecked(ctx context.Context, id int64, checkedAt, next time.Time, title string) error {
	return exec1(ctx, q.db, "set watch checked", `
		UPDATE watches SET last_checked_at = $1, next_check_at = $2, title = CASE WHEN $3::text = '' THEN title ELSE $4::text END
		WHERE id = $5`, us(checkedAt), us(next), title, title, id)
}

// SetWatchesDue implements store.Watches.
func (q *queries) SetWatchesDue(ctx context.Context, userID int64, ids []int64, t time.Time) (int64, error) {
	if ids == nil {
		return execN(ctx, q.db, "set watches due", `
			UPDATE watches SET next_check_at = $1 WHERE user_id = $2 AND schedule <> 'paused'`, us(t), userID)
	}
	return execN(ctx, q.db, "set watches due", `
		UPDATE watches SET next_check_at = $1 WHERE user_id = $2 AND schedule <> 'paused'
			AND id = ANY($3)`, us(t), userID, ids)
}

// PostponeWatches implements store.Watches.
func (q *queries) PostponeWatches(ctx context.Context, ids []int64, t time.Time) error {
	_, err := execN(ctx, q.db, "postpone watches", `
		UPDATE watches SET next_check_at = $1 WHERE id = ANY($2)`, us(t), ids)
	return err
}

// SeeWatch implements store.Watches.
func (q *queries) SeeWatch(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.db, "see watch", `UPDATE watches SET seen_at = $1 WHERE id = $2 AND user_id = $3`,
		us(q.clock()), id, userID)
}

// SetWatchBaseline implements store.Watches.
func (q *queries) SetWatchBaseline(ctx context.Context, userID, id int64) error {
	if id == 0 {
		_, err := execN(ctx, q.db, "set watch baseline", `UPDATE watches SET baseline_at = $1 WHERE user_id = $2`,
			us(q.clock()), userID)
		return err
	}
	return exec1(ctx, q.db, "set watch baseline", `UPDATE watches SET baseline_at = $1 WHERE id = $2 AND user_id = $3`,
		us(q.clock()), id, userID)
}

const snapshotCols = `id, product_id, country, currency, taken_at, data`

func scanSnapshot(s scanner) (store.Snapshot, error) {
	var sn store.Snapshot
	err := s.Scan(&sn.ID, &sn.ProductID, &sn.Country, &sn.Currency, &sn.TakenAt, &sn.Data)
	sn.TakenAt = sn.TakenAt.UTC()
	return sn, err
}

// AddSnapshot implements store.Watches.
func (q *queries) AddSnapshot(ctx context.Context, s store.Snapshot) (store.Snapshot, error) {
	if s.ProductID <= 0 || len(s.Data) == 0 {
		return store.Snapshot{}, fmt.Errorf("store: add snapshot: product %d with %d bytes: %w", s.ProductID, len(s.Data), store.ErrInvalid)
	}
	saved, err := scanSnapshot(q.db.QueryRow(ctx, `
		INSERT INTO product_snapshots (product_id, country, currency, taken_at, data) VALUES ($1, $2, $3, $4, $5)
		RETURNING `+snapshotCols, s.ProductID, s.Country, s.Currency, us(s.TakenAt), s.Data))
	if err != nil {
		return store.Snapshot{}, dbErr("add snapshot", err)
	}
	return saved, nil
}

// LatestSnapshot implements store.Watches.
func (q *queries) LatestSnapshot(ctx context.Context, productID int64, country, currency string) (store.Snapshot, error) {
	s, err := scanSnapshot(q.db.QueryRow(ctx, `
		SELECT `+snapshotCols+` FROM product_snapshots WHERE product_id = $1 AND country = $2 AND currency = $3
		ORDER BY taken_at DESC, id DESC LIMIT 1`, productID, country, currency))
	if err != nil {
		return store.Snapshot{}, dbErr("latest snapshot", err)
	}
	return s, nil
}

// Snapshots implements store.Watches.
func (q *queries) Snapshots(ctx context.Context, productID int64, country, currency string, since time.Time, limit int) ([]store.Snapshot, error) {
	return queryAll(ctx, q.db, "snapshots", scanSnapshot, `
		SELECT * FROM (SELECT `+snapshotCols+` FROM product_snapshots
			WHERE product_id = $1 AND country = $2 AND currency = $3 AND taken_at >= $4
			ORDER BY taken_at DESC, id DESC LIMIT $5) recent
		ORDER BY taken_at, id`, productID, country, currency, us(since), limit)
}

// CountSnapshots implements store.Watches.
func (q *queries) CountSnapshots(ctx context.Context) (int64, error) {
	var n int64
	if err := q.db.QueryRow(ctx, `SELECT count(*) FROM product_snapshots`).Scan(&n); err != nil {
		return 0, dbErr("count snapshots", err)
	}
	return n, nil
}

const alertCols = `id, user_id, watch_id, order_id, product_id, kind, change_key, message, detail, created_at, read_at`

func scanAlert(s scanner) (store.Alert, error) {
	var a store.Alert
	var read *time.Time
	var watch, order *int64
	err := s.Scan(&a.ID, &a.UserID, &watch, &order, &a.ProductID, &a.Kind, &a.Key, &a.Message, &a.Detail, &a.CreatedAt, &read)
	if watch != nil {
		a.WatchID = *watch
	}
	if order != nil {
		a.OrderID = *order
	}
	a.CreatedAt, a.ReadAt = a.CreatedAt.UTC(), utc(read)
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
	saved, err := scanAlert(q.db.QueryRow(ctx, `
		INSERT INTO alerts (user_id, watch_id, product_id, kind, change_key, message, detail, created_at)
		SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::timestamptz WHERE EXISTS (SELECT 1 FROM watches WHERE id = $9 AND user_id = $10)
		ON CONFLICT (watch_id, change_key) DO NOTHING
		RETURNING `+alertCols,
		a.UserID, a.WatchID, a.ProductID, a.Kind, a.Key, a.Message, a.Detail, us(q.clock()), a.WatchID, a.UserID))
	if err == nil {
		return saved, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	old, err := scanAlert(q.db.QueryRow(ctx, `SELECT `+alertCols+` FROM alerts
		WHERE watch_id = $1 AND change_key = $2 AND user_id = $3`, a.WatchID, a.Key, a.UserID))
	if err != nil {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	return old, false, nil
}

// addOrderAlert stores an alert about one of the user's orders, once per order and key.
func (q *queries) addOrderAlert(ctx context.Context, a store.Alert) (store.Alert, bool, error) {
	saved, err := scanAlert(q.db.QueryRow(ctx, `
		INSERT INTO alerts (user_id, order_id, product_id, kind, change_key, message, detail, created_at)
		SELECT $1::bigint, $2::bigint, $3::bigint, $4::text, $5::text, $6::text, $7::text, $8::timestamptz
		WHERE EXISTS (SELECT 1 FROM orders WHERE id = $9 AND user_id = $10)
		ON CONFLICT DO NOTHING
		RETURNING `+alertCols,
		a.UserID, a.OrderID, a.ProductID, a.Kind, a.Key, a.Message, a.Detail, us(q.clock()), a.OrderID, a.UserID))
	if err == nil {
		return saved, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	old, err := scanAlert(q.db.QueryRow(ctx, `SELECT `+alertCols+` FROM alerts
		WHERE order_id = $1 AND change_key = $2 AND user_id = $3`, a.OrderID, a.Key, a.UserID))
	if err != nil {
		return store.Alert{}, false, dbErr("add alert", err)
	}
	return old, false, nil
}

// Alert implements store.Watches.
func (q *queries) Alert(ctx context.Context, id int64) (store.Alert, error) {
	a, err := scanAlert(q.db.QueryRow(ctx, `SELECT `+alertCols+` FROM alerts WHERE id = $1`, id))
	if err != nil {
		return store.Alert{}, dbErr("alert", err)
	}
	return a, nil
}

// Alerts implements store.Watches.
func (q *queries) Alerts(ctx context.Context, userID int64, unread bool, limit int) ([]store.Alert, error) {
	return queryAll(ctx, q.db, "alerts", scanAlert, `
		SELECT `+alertCols+` FROM alerts WHERE user_id = $1 AND (NOT $2::boolean OR read_at IS NULL)
		ORDER BY created_at DESC, id DESC LIMIT $3`, userID, unread, limit)
}

// CountUnreadAlerts implements store.Watches.
func (q *queries) CountUnreadAlerts(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := q.db.QueryRow(ctx, `SELECT count(*) FROM alerts WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n); err != nil {
		return 0, dbErr("count unread alerts", err)
	}
	return n, nil
}

// MarkAlertsRead implements store.Watches.
func (q *queries) MarkAlertsRead(ctx context.Context, userID int64, ids []int64) (int64, error) {
	if ids == nil {
		return execN(ctx, q.db, "mark alerts read", `UPDATE alerts SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`,
			us(q.clock()), userID)
	}
	return execN(ctx, q.db, "mark alerts read", `UPDATE alerts SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL
		AND id = ANY($3)`, us(q.clock()), userID, ids)
}

// TrackingSettings implements store.Watches.
func (q *queries) TrackingSettings(ctx context.Context, userID int64) (store.TrackingSettings, error) {
	s := store.TrackingSettings{UserID: userID}
	var updated time.Time
	err := q.db.QueryRow(ctx, `SELECT webhook_url, sealed_webhook_secret, email_alerts, alert_rules, updated_at
		FROM tracking_settings WHERE user_id = $1`, userID).Scan(&s.WebhookURL, &s.SealedWebhookSecret, &s.EmailAlerts, &s.AlertRules, &updated)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.TrackingSettings{UserID: userID, EmailAlerts: true}, nil
	}
	if err != nil {
		return store.TrackingSettings{}, dbErr("tracking settings", err)
	}
	s.UpdatedAt = updated.UTC()
	return s, nil
}

// SaveTrackingSettings implements store.Watches.
func (q *queries) SaveTrackingSettings(ctx context.Context, s store.TrackingSettings) (store.TrackingSettings, error) {
	now := q.clock()
	_, err := execN(ctx, q.db, "save tracking settings", `
		INSERT INTO tracking_settings (user_id, webhook_url, sealed_webhook_secret, email_alerts, alert_rules, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (user_id) DO UPDATE SET webhook_url = excluded.webhook_url,
			sealed_webhook_secret = excluded.sealed_webhook_secret, email_alerts = excluded.email_alerts,
			alert_rules = excluded.alert_rules, updated_at = excluded.updated_at`,
		s.UserID, s.WebhookURL, s.SealedWebhookSecret, s.EmailAlerts, s.AlertRules, us(now))
	if err != nil {
		return store.TrackingSettings{}, err
	}
	s.UpdatedAt = now
	return s, nil
}
