package sqlite

import (
	"context"
	"fmt"

	"github.com/aliscout/aliscout/internal/store"
)

// TakeQuota implements store.Quota. SQLite has one writer, so the transaction sees no other
// count between reading the state and writing the call.
func (q *queries) TakeQuota(ctx context.Context, c store.QuotaCall, admit func(store.QuotaState) bool) (store.QuotaState, bool, error) {
	if err := store.CheckQuotaCall(c); err != nil {
		return store.QuotaState{}, false, fmt.Errorf("store: take quota: %w", err)
	}
	var st store.QuotaState
	var ok bool
	err := q.inTx(ctx, func(t *queries) error {
		// The write first, so that the transaction holds the writer from its start.
		if _, err := t.w.ExecContext(ctx, `INSERT INTO quota_days (day, calls) VALUES (?, 0) ON CONFLICT (day) DO NOTHING`, c.Day); err != nil {
			return dbErr("take quota", err)
		}
		err := t.w.QueryRowContext(ctx, `
			SELECT d.calls,
			       COALESCE((SELECT SUM(calls) FROM quota_calls WHERE day = d.day AND user_id = ?), 0),
			       (SELECT COUNT(DISTINCT user_id) FROM quota_calls WHERE day = d.day AND user_id > 0)
			FROM quota_days d WHERE d.day = ?`, c.UserID, c.Day).Scan(&st.Total, &st.UserCalls, &st.Users)
		if err != nil {
			return dbErr("take quota", err)
		}
		if c.UserID > 0 && st.UserCalls == 0 {
			st.Users++
		}
		if ok = admit(st); !ok {
			return nil
		}
		if _, err := t.w.ExecContext(ctx, `UPDATE quota_days SET calls = calls + 1 WHERE day = ?`, c.Day); err != nil {
			return dbErr("take quota", err)
		}
		_, err = t.w.ExecContext(ctx, `
			INSERT INTO quota_calls (day, user_id, method, kind, calls) VALUES (?, ?, ?, ?, 1)
			ON CONFLICT (day, user_id, method, kind) DO UPDATE SET calls = calls + 1`,
			c.Day, c.UserID, c.Method, c.Kind)
		return dbErr2("take quota", err)
	})
	return st, ok, err
}

// QuotaDayTotal implements store.Quota.
func (q *queries) QuotaDayTotal(ctx context.Context, day string) (int64, error) {
	var n int64
	err := q.r.QueryRowContext(ctx, `SELECT COALESCE((SELECT calls FROM quota_days WHERE day = ?), 0)`, day).Scan(&n)
	return n, dbErr2("quota day total", err)
}

// QuotaCounts implements store.Quota.
func (q *queries) QuotaCounts(ctx context.Context, from, to string) ([]store.QuotaCount, error) {
	return queryAll(ctx, q.r, "quota counts", func(s scanner) (store.QuotaCount, error) {
		var c store.QuotaCount
		err := s.Scan(&c.Day, &c.UserID, &c.Method, &c.Kind, &c.Calls)
		return c, err
	}, `SELECT day, user_id, method, kind, calls FROM quota_calls WHERE day >= ? AND day <= ?
		ORDER BY day, user_id, method, kind`, from, to)
}

// RaiseQuotaCounts implements store.Quota.
func (q *queries) RaiseQuotaCounts(ctx context.Context, counts []store.QuotaCount) error {
	for _, c := range counts {
		if err := store.CheckQuotaCall(store.QuotaCall{Day: c.Day, UserID: c.UserID, Method: c.Method, Kind: c.Kind}); err != nil {
			return fmt.Errorf("store: raise quota counts: %w", err)
		}
	}
	return q.inTx(ctx, func(t *queries) error {
		days := map[string]bool{}
		for _, c := range counts {
			days[c.Day] = true
			_, err := t.w.ExecContext(ctx, `
				INSERT INTO quota_calls (day, user_id, method, kind, calls) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (day, user_id, method, kind) DO UPDATE SET calls = MAX(calls, excluded.calls)`,
				c.Day, c.UserID, c.Method, c.Kind, c.Calls)
			if err != nil {
				return dbErr("raise quota counts", err)
			}
		}
		for day := range days {
			_, err := t.w.ExecContext(ctx, `
				INSERT INTO quota_days (day, calls) VALUES (?, (SELECT COALESCE(SUM(calls), 0) FROM quota_calls WHERE day = ?))
				ON CONFLICT (day) DO UPDATE SET calls = MAX(calls, excluded.calls)`, day, day)
			if err != nil {
				return dbErr("raise quota counts", err)
			}
		}
		return nil
	})
}

// dbErr2 is dbErr for a nil error too.
func dbErr2(op string, err error) error {
	if err == nil {
		return nil
	}
	return dbErr(op, err)
}

// RecordOperatorNotice implements store.OperatorNotices.
func (q *queries) RecordOperatorNotice(ctx context.Context, period, condition string) (bool, error) {
	if period == "" || condition == "" {
		return false, fmt.Errorf("store: record operator notice: %w: empty period or condition", store.ErrInvalid)
	}
	n, err := execN(ctx, q.w, "record operator notice",
		`INSERT INTO operator_notices (period, condition, sent_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		period, condition, micros(q.clock()))
	return n == 1, err
}
