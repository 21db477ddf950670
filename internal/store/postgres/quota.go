package postgres

import (
	"context"
	"fmt"

	"github.com/aliscout/aliscout/internal/store"
)

// TakeQuota implements store.Quota. The day's row, locked FOR UPDATE, orders concurrent
// callers: each reads the state only after the one before it committed.
func (q *queries) TakeQuota(ctx context.Context, c store.QuotaCall, admit func(store.QuotaState) bool) (store.QuotaState, bool, error) {
	if err := store.CheckQuotaCall(c); err != nil {
		return store.QuotaState{}, false, fmt.Errorf("store: take quota: %w", err)
	}
	var st store.QuotaState
	var ok bool
	err := q.tx(ctx, func(t *queries) error {
		if _, err := t.db.Exec(ctx, `INSERT INTO quota_days (day, calls) VALUES ($1, 0) ON CONFLICT (day) DO NOTHING`, c.Day); err != nil {
			return dbErr("take quota", err)
		}
		if err := t.db.QueryRow(ctx, `SELECT calls FROM quota_days WHERE day = $1 FOR UPDATE`, c.Day).Scan(&st.Total); err != nil {
			return dbErr("take quota", err)
		}
		err := t.db.QueryRow(ctx, `
			SELECT COALESCE(SUM(calls) FILTER (WHERE user_id = $2), 0),
			       COUNT(DISTINCT user_id) FILTER (WHERE user_id > 0)
			FROM quota_calls WHERE day = $1`, c.Day, c.UserID).Scan(&st.UserCalls, &st.Users)
		if err != nil {
			return dbErr("take quota", err)
		}
		if c.UserID > 0 && st.UserCalls == 0 {
			st.Users++
		}
		if ok = admit(st); !ok {
			return nil
		}
		if _, err := t.db.Exec(ctx, `UPDATE quota_days SET calls = calls + 1 WHERE day = $1`, c.Day); err != nil {
			return dbErr("take quota", err)
		}
		if _, err := t.db.Exec(ctx, `
			INSERT INTO quota_calls (day, user_id, method, kind, calls) VALUES ($1, $2, $3, $4, 1)
			ON CONFLICT (day, user_id, method, kind) DO UPDATE SET calls = quota_calls.calls + 1`,
			c.Day, c.UserID, c.Method, c.Kind); err != nil {
			return dbErr("take quota", err)
		}
		return nil
	})
	return st, ok, err
}

// QuotaDayTotal implements store.Quota.
func (q *queries) QuotaDayTotal(ctx context.Context, day string) (int64, error) {
	var n int64
	if err := q.db.QueryRow(ctx, `SELECT COALESCE((SELECT calls FROM quota_days WHERE day = $1), 0)`, day).Scan(&n); err != nil {
		return 0, dbErr("quota day total", err)
	}
	return n, nil
}

// QuotaCounts implements store.Quota.
func (q *queries) QuotaCounts(ctx context.Context, from, to string) ([]store.QuotaCount, error) {
	return queryAll(ctx, q.db, "quota counts", func(s scanner) (store.QuotaCount, error) {
		var c store.QuotaCount
		err := s.Scan(&c.Day, &c.UserID, &c.Method, &c.Kind, &c.Calls)
		return c, err
	}, `SELECT day, user_id, method, kind, calls FROM quota_calls WHERE day >= $1 AND day <= $2
		ORDER BY day, user_id, method, kind`, from, to)
}

// RaiseQuotaCounts implements store.Quota.
func (q *queries) RaiseQuotaCounts(ctx context.Context, counts []store.QuotaCount) error {
	for _, c := range counts {
		if err := store.CheckQuotaCall(store.QuotaCall{Day: c.Day, UserID: c.UserID, Method: c.Method, Kind: c.Kind}); err != nil {
			return fmt.Errorf("store: raise quota counts: %w", err)
		}
	}
	return q.tx(ctx, func(t *queries) error {
		days := map[string]bool{}
		for _, c := range counts {
			days[c.Day] = true
			if _, err := t.db.Exec(ctx, `
				INSERT INTO quota_calls (day, user_id, method, kind, calls) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (day, user_id, method, kind) DO UPDATE SET calls = GREATEST(quota_calls.calls, excluded.calls)`,
				c.Day, c.UserID, c.Method, c.Kind, c.Calls); err != nil {
				return dbErr("raise quota counts", err)
			}
		}
		for day := range days {
			if _, err := t.db.Exec(ctx, `
				INSERT INTO quota_days (day, calls) VALUES ($1, (SELECT COALESCE(SUM(calls), 0) FROM quota_calls WHERE day = $1))
				ON CONFLICT (day) DO UPDATE SET calls = GREATEST(quota_days.calls, excluded.calls)`, day); err != nil {
				return dbErr("raise quota counts", err)
			}
		}
		return nil
	})
}

// RecordOperatorNotice implements store.OperatorNotices.
func (q *queries) RecordOperatorNotice(ctx context.Context, period, condition string) (bool, error) {
	if period == "" || condition == "" {
		return false, fmt.Errorf("store: record operator notice: %w: empty period or condition", store.ErrInvalid)
	}
	n, err := execN(ctx, q.db, "record operator notice",
		`INSERT INTO operator_notices (period, condition, sent_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		period, condition, q.clock())
	return n == 1, err
}
