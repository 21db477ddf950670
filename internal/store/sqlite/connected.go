package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// Connected AliExpress accounts.

const connectedCols = `id, user_id, ae_user_id, nick, email, sealed_access, sealed_refresh, key_id,
	access_expires_at, refresh_expires_at, is_default, needs_reconnect, store_url, report_state,
	report_message, reported_at, refresh_lease_until, created_at, updated_at`

func scanConnected(s scanner) (store.ConnectedAccount, error) {
	var a store.ConnectedAccount
	var accessExp, refreshExp, reported, lease sql.NullInt64
	var created, updated int64
	err := s.Scan(&a.ID, &a.UserID, &a.AEUserID, &a.Nick, &a.Email, &a.SealedAccess, &a.SealedRefresh, &a.KeyID,
		&accessExp, &refreshExp, &a.IsDefault, &a.NeedsReconnect, &a.StoreURL, &a.ReportState,
		&a.ReportMessage, &reported, &lease, &created, &updated)
	a.AccessExpiresAt, a.RefreshExpiresAt = fromNullMicros(accessExp), fromNullMicros(refreshExp)
	a.ReportedAt, a.RefreshLeaseUntil = fromNullMicros(reported), fromNullMicros(lease)
	a.CreatedAt, a.UpdatedAt = fromMicros(created), fromMicros(updated)
	return a, err
}

// nullMicros is t in microseconds, or NULL for the zero time.
func nullMicros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return micros(t)
}

// SaveConnectedAccount implements store.ConnectedAccounts.
func (q *queries) SaveConnectedAccount(ctx context.Context, a store.ConnectedAccount) (store.ConnectedAccount, error) {
	if err := store.CheckConnectedAccount(a); err != nil {
		return store.ConnectedAccount{}, fmt.Errorf("store: save connected account: %w", err)
	}
	var saved store.ConnectedAccount
	err := q.inTx(ctx, func(t *queries) error {
		var err error
		saved, err = scanConnected(t.w.QueryRowContext(ctx, `
			INSERT INTO connected_accounts (user_id, ae_user_id, nick, email, sealed_access, sealed_refresh, key_id,
				access_expires_at, refresh_expires_at, is_default, store_url, report_state, created_at, updated_at)
			VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,
				NOT EXISTS (SELECT 1 FROM connected_accounts WHERE user_id = ?1 AND is_default = 1),
				?10, ?11, ?12, ?12)
			ON CONFLICT (user_id, ae_user_id) DO UPDATE SET
				nick = excluded.nick, email = excluded.email,
				sealed_access = excluded.sealed_access, sealed_refresh = excluded.sealed_refresh,
				key_id = excluded.key_id, access_expires_at = excluded.access_expires_at,
				refresh_expires_at = excluded.refresh_expires_at, needs_reconnect = 0,
				store_url = excluded.store_url, report_state = excluded.report_state, report_message = '',
				refresh_lease_until = NULL, updated_at = excluded.updated_at
			RETURNING `+connectedCols,
			a.UserID, a.AEUserID, a.Nick, a.Email, a.SealedAccess, a.SealedRefresh, a.KeyID,
			nullMicros(a.AccessExpiresAt), nullMicros(a.RefreshExpiresAt), a.StoreURL, a.ReportState, micros(t.clock())))
		if err != nil {
			return dbErr("save connected account", err)
		}
		// New tokens, new lifetime: the notices about the old one are void.
		_, err = execN(ctx, t.w, "save connected account", `DELETE FROM expiry_notices WHERE account_id = ?`, saved.ID)
		return err
	})
	if err != nil {
		return store.ConnectedAccount{}, err
	}
	return saved, nil
}

// ConnectedAccount implements store.ConnectedAccounts.
func (q *queries) ConnectedAccount(ctx context.Context, userID, id int64) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.r.QueryRowContext(ctx,
		`SELECT `+connectedCols+` FROM connected_accounts WHERE id = ? AND user_id = ?`, id, userID))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("connected account", err)
	}
	return a, nil
}

// ConnectedAccounts implements store.ConnectedAccounts.
func (q *queries) ConnectedAccounts(ctx context.Context, userID int64) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.r, "connected accounts", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts WHERE user_id = ?
		ORDER BY is_default DESC, created_at, id`, userID)
}

// DefaultConnectedAccount implements store.ConnectedAccounts.
func (q *queries) DefaultConnectedAccount(ctx context.Context, userID int64) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.r.QueryRowContext(ctx,
		`SELECT `+connectedCols+` FROM connected_accounts WHERE user_id = ? AND is_default = 1`, userID))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("default connected account", err)
	}
	return a, nil
}

// SetDefaultConnectedAccount implements store.ConnectedAccounts.
func (q *queries) SetDefaultConnectedAccount(ctx context.Context, userID, id int64) error {
	return q.inTx(ctx, func(t *queries) error {
		if _, err := t.ConnectedAccount(ctx, userID, id); err != nil {
			return err
		}
		if _, err := execN(ctx, t.w, "set default connected account",
			`UPDATE connected_accounts SET is_default = 0 WHERE user_id = ? AND is_default = 1`, userID); err != nil {
			return err
		}
		return exec1(ctx, t.w, "set default connected account",
			`UPDATE connected_accounts SET is_default = 1, updated_at = ? WHERE id = ? AND user_id = ?`,
			micros(t.clock()), id, userID)
	})
}

// DeleteConnectedAccount implements store.ConnectedAccounts.
func (q *queries) DeleteConnectedAccount(ctx context.Context, userID, id int64) error {
	return q.inTx(ctx, func(t *queries) error {
		if err := exec1(ctx, t.w, "delete connected account",
			`DELETE FROM connected_accounts WHERE id = ? AND user_id = ?`, id, userID); err != nil {
			return err
		}
		_, err := execN(ctx, t.w, "delete connected account", `
			UPDATE connected_accounts SET is_default = 1
			WHERE id = (SELECT id FROM connected_accounts WHERE user_id = ?1 ORDER BY created_at, id LIMIT 1)
			AND NOT EXISTS (SELECT 1 FROM connected_accounts WHERE user_id = ?1 AND is_default = 1)`, userID)
		return err
	})
}

// ConnectedAccountByID implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountByID(ctx context.Context, id int64) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.r.QueryRowContext(ctx, `SELECT `+connectedCols+` FROM connected_accounts WHERE id = ?`, id))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("connected account", err)
	}
	return a, nil
}

// ConnectedAccountsPage implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsPage(ctx context.Context, afterID int64, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.r, "connected accounts", scanConnected,
		`SELECT `+connectedCols+` FROM connected_accounts WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
}

// ConnectedAccountsAccessEndingBefore implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsAccessEndingBefore(ctx context.Context, t time.Time, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.r, "connected accounts to refresh", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts
		WHERE needs_reconnect = 0 AND access_expires_at < ?
		ORDER BY access_expires_at, id LIMIT ?`, micros(t), limit)
}

// ConnectedAccountsRefreshEndingBefore implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsRefreshEndingBefore(ctx context.Context, t time.Time, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.r, "connected accounts ending", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts
		WHERE refresh_expires_at < ? AND NOT EXISTS (
			SELECT 1 FROM expiry_notices n WHERE n.account_id = connected_accounts.id AND n.threshold = 'ended')
		ORDER BY refresh_expires_at, id LIMIT ?`, micros(t), limit)
}

// ConnectedAccountsByReportState implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsByReportState(ctx context.Context, state store.ReportState, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.r, "connected accounts by report state", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts WHERE report_state = ?
		ORDER BY updated_at, id LIMIT ?`, state, limit)
}

// ConnectedAccountKeyIDs implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountKeyIDs(ctx context.Context) ([]string, error) {
	return queryAll(ctx, q.r, "connected account key ids", func(s scanner) (string, error) {
		var id string
		err := s.Scan(&id)
		return id, err
	}, `SELECT DISTINCT key_id FROM connected_accounts ORDER BY key_id`)
}

// LeaseConnectedAccountRefresh implements store.ConnectedAccounts.
func (q *queries) LeaseConnectedAccountRefresh(ctx context.Context, id int64, until time.Time) (store.ConnectedAccount, error) {
	now := micros(q.clock())
	a, err := scanConnected(q.w.QueryRowContext(ctx, `
		UPDATE connected_accounts SET refresh_lease_until = ?1
		WHERE id = ?2 AND (refresh_lease_until IS NULL OR refresh_lease_until <= ?3)
		RETURNING `+connectedCols, micros(until), id, now))
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := q.ConnectedAccountByID(ctx, id); err != nil {
			return store.ConnectedAccount{}, err
		}
		return store.ConnectedAccount{}, fmt.Errorf("store: lease refresh: %w: another refresh is under way", store.ErrConflict)
	}
	if err != nil {
		return store.ConnectedAccount{}, dbErr("lease refresh", err)
	}
	return a, nil
}

// ReleaseConnectedAccountRefresh implements store.ConnectedAccounts.
func (q *queries) ReleaseConnectedAccountRefresh(ctx context.Context, id int64) error {
	return exec1(ctx, q.w, "release refresh", `UPDATE connected_accounts SET refresh_lease_until = NULL WHERE id = ?`, id)
}

// UpdateConnectedAccountTokens implements store.ConnectedAccounts.
func (q *queries) UpdateConnectedAccountTokens(ctx context.Context, id int64, u store.TokenUpdate) (store.ConnectedAccount, error) {
	if err := store.CheckTokenUpdate(u); err != nil {
		return store.ConnectedAccount{}, fmt.Errorf("store: update tokens: %w", err)
	}
	a, err := scanConnected(q.w.QueryRowContext(ctx, `
		UPDATE connected_accounts SET sealed_access = ?, sealed_refresh = ?, key_id = ?,
			access_expires_at = ?, refresh_expires_at = ?, needs_reconnect = 0,
			refresh_lease_until = NULL, updated_at = ?
		WHERE id = ?
		RETURNING `+connectedCols,
		u.SealedAccess, u.SealedRefresh, u.KeyID, nullMicros(u.AccessExpiresAt), nullMicros(u.RefreshExpiresAt),
		micros(q.clock()), id))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("update tokens", err)
	}
	return a, nil
}

// ResealConnectedAccount implements store.ConnectedAccounts.
func (q *queries) ResealConnectedAccount(ctx context.Context, id int64, oldSealedRefresh string, access, refresh, keyID string) error {
	if err := store.CheckTokenUpdate(store.TokenUpdate{SealedAccess: access, SealedRefresh: refresh, KeyID: keyID}); err != nil {
		return fmt.Errorf("store: reseal: %w", err)
	}
	n, err := execN(ctx, q.w, "reseal", `
		UPDATE connected_accounts SET sealed_access = ?, sealed_refresh = ?, key_id = ?
		WHERE id = ? AND sealed_refresh = ?`, access, refresh, keyID, id, oldSealedRefresh)
	if err != nil {
		return err
	}
	if n == 0 {
		if _, err := q.ConnectedAccountByID(ctx, id); err != nil {
			return err
		}
		return fmt.Errorf("store: reseal: %w: the tokens changed meanwhile", store.ErrConflict)
	}
	return nil
}

// MarkConnectedAccountNeedsReconnect implements store.ConnectedAccounts.
func (q *queries) MarkConnectedAccountNeedsReconnect(ctx context.Context, id int64) error {
	return exec1(ctx, q.w, "mark needs reconnect", `
		UPDATE connected_accounts SET needs_reconnect = 1, refresh_lease_until = NULL, updated_at = ?
		WHERE id = ?`, micros(q.clock()), id)
}

// SetConnectedAccountReport implements store.ConnectedAccounts.
func (q *queries) SetConnectedAccountReport(ctx context.Context, id int64, state store.ReportState, message string) error {
	if !state.Valid() {
		return fmt.Errorf("store: set report: %w: state %q", store.ErrInvalid, state)
	}
	if err := store.CheckItemText(message); err != nil {
		return fmt.Errorf("store: set report: %w", err)
	}
	now := micros(q.clock())
	return exec1(ctx, q.w, "set report", `
		UPDATE connected_accounts SET report_state = ?, report_message = ?, reported_at = ?, updated_at = ?
		WHERE id = ?`, state, message, now, now, id)
}

// SetConnectedAccountStoreURL implements store.ConnectedAccounts.
func (q *queries) SetConnectedAccountStoreURL(ctx context.Context, userID, id int64, storeURL string) (store.ConnectedAccount, error) {
	if err := store.CheckItemText(storeURL); err != nil {
		return store.ConnectedAccount{}, fmt.Errorf("store: set store url: %w", err)
	}
	state := store.ReportPending
	if storeURL == "" {
		state = store.ReportNone
	}
	a, err := scanConnected(q.w.QueryRowContext(ctx, `
		UPDATE connected_accounts SET store_url = ?, report_state = ?, report_message = '', updated_at = ?
		WHERE id = ? AND user_id = ?
		RETURNING `+connectedCols, storeURL, state, micros(q.clock()), id, userID))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("set store url", err)
	}
	return a, nil
}

// Expiry notices.

// RecordExpiryNotice implements store.ExpiryNotices.
func (q *queries) RecordExpiryNotice(ctx context.Context, accountID int64, threshold string) (bool, error) {
	if err := store.CheckThreshold(threshold); err != nil {
		return false, fmt.Errorf("store: record notice: %w", err)
	}
	n, err := execN(ctx, q.w, "record notice", `
		INSERT INTO expiry_notices (account_id, threshold, sent_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id, threshold) DO NOTHING`, accountID, threshold, micros(q.clock()))
	return n == 1, err
}

// ExpiryNotices implements store.ExpiryNotices.
func (q *queries) ExpiryNotices(ctx context.Context, userID, accountID int64) ([]store.ExpiryNotice, error) {
	return queryAll(ctx, q.r, "expiry notices", func(s scanner) (store.ExpiryNotice, error) {
		var n store.ExpiryNotice
		var sent int64
		err := s.Scan(&n.AccountID, &n.Threshold, &sent)
		n.SentAt = fromMicros(sent)
		return n, err
	}, `
		SELECT n.account_id, n.threshold, n.sent_at FROM expiry_notices n
		JOIN connected_accounts a ON a.id = n.account_id
		WHERE n.account_id = ? AND a.user_id = ?
		ORDER BY n.sent_at, n.threshold`, accountID, userID)
}

// Outbox.

const emailCols = `id, to_addr, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at`

func scanEmail(s scanner) (store.Email, error) {
	var e store.Email
	var created, next int64
	var sent sql.NullInt64
	err := s.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &created, &sent, &e.Attempts, &e.LastError, &next)
	e.CreatedAt, e.SentAt, e.NextAttemptAt = fromMicros(created), fromNullMicros(sent), fromMicros(next)
	return e, err
}

// EnqueueEmail implements store.Outbox.
func (q *queries) EnqueueEmail(ctx context.Context, e store.Email) (store.Email, error) {
	if err := store.CheckEmail(e); err != nil {
		return store.Email{}, fmt.Errorf("store: enqueue email: %w", err)
	}
	now := micros(q.clock())
	out, err := scanEmail(q.w.QueryRowContext(ctx, `
		INSERT INTO email_outbox (to_addr, subject, body, created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?)
		RETURNING `+emailCols, strings.TrimSpace(e.To), e.Subject, e.Body, now, now))
	if err != nil {
		return store.Email{}, dbErr("enqueue email", err)
	}
	return out, nil
}

// ClaimEmails implements store.Outbox. SQLite's single writer makes the select and update one step.
func (q *queries) ClaimEmails(ctx context.Context, limit int, lease time.Duration) ([]store.Email, error) {
	now := q.clock()
	return queryAll(ctx, q.w, "claim emails", scanEmail, `
		UPDATE email_outbox SET next_attempt_at = ?1
		WHERE id IN (SELECT id FROM email_outbox WHERE sent_at IS NULL AND next_attempt_at <= ?2
			ORDER BY next_attempt_at, id LIMIT ?3)
		RETURNING `+emailCols, micros(now.Add(lease)), micros(now), limit)
}

// MarkEmailSent implements store.Outbox.
func (q *queries) MarkEmailSent(ctx context.Context, id int64) error {
	return exec1(ctx, q.w, "mark email sent",
		`UPDATE email_outbox SET sent_at = ?, last_error = '' WHERE id = ? AND sent_at IS NULL`, micros(q.clock()), id)
}

// MarkEmailFailed implements store.Outbox.
func (q *queries) MarkEmailFailed(ctx context.Context, id int64, lastError string, retryAt time.Time) error {
	if len(lastError) > store.MaxTextLen {
		lastError = lastError[:store.MaxTextLen]
	}
	return exec1(ctx, q.w, "mark email failed", `
		UPDATE email_outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
		WHERE id = ? AND sent_at IS NULL`, lastError, micros(retryAt), id)
}

// Emails implements store.Outbox.
func (q *queries) Emails(ctx context.Context, limit int) ([]store.Email, error) {
	return queryAll(ctx, q.r, "emails", scanEmail,
		`SELECT `+emailCols+` FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT ?`, limit)
}

// OAuth states.

const oauthStateCols = `id, state_hash, user_id, session_id, store_url, created_at, expires_at, used_at`

func scanOAuthState(s scanner) (store.OAuthState, error) {
	var st store.OAuthState
	var created, expires int64
	var session, used sql.NullInt64
	err := s.Scan(&st.ID, &st.Hash, &st.UserID, &session, &st.StoreURL, &created, &expires, &used)
	st.SessionID = session.Int64
	st.CreatedAt, st.ExpiresAt, st.UsedAt = fromMicros(created), fromMicros(expires), fromNullMicros(used)
	return st, err
}

// CreateOAuthState implements store.OAuthStates.
func (q *queries) CreateOAuthState(ctx context.Context, s store.OAuthState) (store.OAuthState, error) {
	switch {
	case len(s.Hash) == 0:
		return store.OAuthState{}, fmt.Errorf("store: create oauth state: %w: no hash", store.ErrInvalid)
	case s.ExpiresAt.IsZero():
		return store.OAuthState{}, fmt.Errorf("store: create oauth state: %w: no expiry", store.ErrInvalid)
	}
	if err := store.CheckItemText(s.StoreURL); err != nil {
		return store.OAuthState{}, fmt.Errorf("store: create oauth state: %w", err)
	}
	out, err := scanOAuthState(q.w.QueryRowContext(ctx, `
		INSERT INTO oauth_states (state_hash, user_id, session_id, store_url, created_at, expires_at)
		SELECT ?1, ?2, NULLIF(?3, 0), ?4, ?5, ?6 FROM users WHERE id = ?2
			AND (?3 = 0 OR EXISTS (SELECT 1 FROM sessions WHERE id = ?3 AND user_id = ?2))
		RETURNING `+oauthStateCols, s.Hash, s.UserID, s.SessionID, s.StoreURL, micros(q.clock()), micros(s.ExpiresAt)))
	if err != nil {
		return store.OAuthState{}, dbErr("create oauth state", err)
	}
	return out, nil
}

// UseOAuthState implements store.OAuthStates.
func (q *queries) UseOAuthState(ctx context.Context, hash []byte, userID, sessionID int64) (store.OAuthState, error) {
	out, err := scanOAuthState(q.w.QueryRowContext(ctx, `
		UPDATE oauth_states SET used_at = ?1
		WHERE state_hash = ?2 AND user_id = ?3 AND (session_id = ?4 OR session_id IS NULL)
			AND used_at IS NULL AND expires_at > ?1
		RETURNING `+oauthStateCols, micros(q.clock()), hash, userID, sessionID))
	if err != nil {
		return store.OAuthState{}, dbErr("use oauth state", err)
	}
	return out, nil
}

// DeleteExpiredOAuthStates implements store.OAuthStates.
func (q *queries) DeleteExpiredOAuthStates(ctx context.Context) (int64, error) {
	return execN(ctx, q.w, "delete expired oauth states",
		`DELETE FROM oauth_states WHERE expires_at <= ? OR used_at IS NOT NULL`, micros(q.clock()))
}
