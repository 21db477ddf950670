package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store"
)

// Connected AliExpress accounts.

const connectedCols = `id, user_id, ae_user_id, nick, email, sealed_access, sealed_refresh, key_id,
	access_expires_at, refresh_expires_at, is_default, needs_reconnect, store_url, report_state,
	report_message, reported_at, refresh_lease_until, created_at, updated_at`

func scanConnected(s scanner) (store.ConnectedAccount, error) {
	var a store.ConnectedAccount
	var accessExp, refreshExp, reported, lease *time.Time
	var state string
	err := s.Scan(&a.ID, &a.UserID, &a.AEUserID, &a.Nick, &a.Email, &a.SealedAccess, &a.SealedRefresh, &a.KeyID,
		&accessExp, &refreshExp, &a.IsDefault, &a.NeedsReconnect, &a.StoreURL, &state,
		&a.ReportMessage, &reported, &lease, &a.CreatedAt, &a.UpdatedAt)
	a.ReportState = store.ReportState(state)
	a.AccessExpiresAt, a.RefreshExpiresAt = utc(accessExp), utc(refreshExp)
	a.ReportedAt, a.RefreshLeaseUntil = utc(reported), utc(lease)
	a.CreatedAt, a.UpdatedAt = a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	return a, err
}

// nullTime is t to the microsecond, or NULL for the zero time.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return us(t)
}

// SaveConnectedAccount implements store.ConnectedAccounts. The user's row is locked first, so
// that two first accounts saved at once do not both become the default.
func (q *queries) SaveConnectedAccount(ctx context.Context, a store.ConnectedAccount) (store.ConnectedAccount, error) {
	if err := store.CheckConnectedAccount(a); err != nil {
		return store.ConnectedAccount{}, fmt.Errorf("store: save connected account: %w", err)
	}
	var saved store.ConnectedAccount
	err := q.tx(ctx, func(t *queries) error {
		var id int64
		if err := t.db.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, a.UserID).Scan(&id); err != nil {
			return dbErr("save connected account", err)
		}
		var err error
		saved, err = scanConnected(t.db.QueryRow(ctx, `
			INSERT INTO connected_accounts (user_id, ae_user_id, nick, email, sealed_access, sealed_refresh, key_id,
				access_expires_at, refresh_expires_at, is_default, store_url, report_state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9,
				NOT EXISTS (SELECT 1 FROM connected_accounts WHERE user_id = $1 AND is_default),
				$10, $11, $12, $12)
			ON CONFLICT (user_id, ae_user_id) DO UPDATE SET
				nick = excluded.nick, email = excluded.email,
				sealed_access = excluded.sealed_access, sealed_refresh = excluded.sealed_refresh,
				key_id = excluded.key_id, access_expires_at = excluded.access_expires_at,
				refresh_expires_at = excluded.refresh_expires_at, needs_reconnect = false,
				store_url = excluded.store_url, report_state = excluded.report_state, report_message = '',
				refresh_lease_until = NULL, updated_at = excluded.updated_at
			RETURNING `+connectedCols,
			a.UserID, a.AEUserID, a.Nick, a.Email, a.SealedAccess, a.SealedRefresh, a.KeyID,
			nullTime(a.AccessExpiresAt), nullTime(a.RefreshExpiresAt), a.StoreURL, string(a.ReportState), t.clock()))
		if err != nil {
			return dbErr("save connected account", err)
		}
		// New tokens, new lifetime: the notices about the old one are void.
		_, err = execN(ctx, t.db, "save connected account", `DELETE FROM expiry_notices WHERE account_id = $1`, saved.ID)
		return err
	})
	if err != nil {
		return store.ConnectedAccount{}, err
	}
	return saved, nil
}

// ConnectedAccount implements store.ConnectedAccounts.
func (q *queries) ConnectedAccount(ctx context.Context, userID, id int64) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.db.QueryRow(ctx,
		`SELECT `+connectedCols+` FROM connected_accounts WHERE id = $1 AND user_id = $2`, id, userID))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("connected account", err)
	}
	return a, nil
}

// ConnectedAccounts implements store.ConnectedAccounts.
func (q *queries) ConnectedAccounts(ctx context.Context, userID int64) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.db, "connected accounts", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts WHERE user_id = $1
		ORDER BY is_default DESC, created_at, id`, userID)
}

// DefaultConnectedAccount implements store.ConnectedAccounts.
func (q *queries) DefaultConnectedAccount(ctx context.Context, userID int64) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.db.QueryRow(ctx,
		`SELECT `+connectedCols+` FROM connected_accounts WHERE user_id = $1 AND is_default`, userID))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("default connected account", err)
	}
	return a, nil
}

// SetDefaultConnectedAccount implements store.ConnectedAccounts.
func (q *queries) SetDefaultConnectedAccount(ctx context.Context, userID, id int64) error {
	return q.tx(ctx, func(t *queries) error {
		var got int64
		if err := t.db.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&got); err != nil {
			return dbErr("set default connected account", err)
		}
		if _, err := t.ConnectedAccount(ctx, userID, id); err != nil {
			return err
		}
		if _, err := execN(ctx, t.db, "set default connected account",
			`UPDATE connected_accounts SET is_default = false WHERE user_id = $1 AND is_default`, userID); err != nil {
			return err
		}
		return exec1(ctx, t.db, "set default connected account",
			`UPDATE connected_accounts SET is_default = true, updated_at = $1 WHERE id = $2 AND user_id = $3`,
			t.clock(), id, userID)
	})
}

// DeleteConnectedAccount implements store.ConnectedAccounts.
func (q *queries) DeleteConnectedAccount(ctx context.Context, userID, id int64) error {
	return q.tx(ctx, func(t *queries) error {
		var got int64
		if err := t.db.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 FOR UPDATE`, userID).Scan(&got); err != nil {
			return dbErr("delete connected account", err)
		}
		if err := exec1(ctx, t.db, "delete connected account",
			`DELETE FROM connected_accounts WHERE id = $1 AND user_id = $2`, id, userID); err != nil {
			return err
		}
		_, err := execN(ctx, t.db, "delete connected account", `
			UPDATE connected_accounts SET is_default = true
			WHERE id = (SELECT id FROM connected_accounts WHERE user_id = $1 ORDER BY created_at, id LIMIT 1)
			AND NOT EXISTS (SELECT 1 FROM connected_accounts WHERE user_id = $1 AND is_default)`, userID)
		return err
	})
}

// ConnectedAccountByID implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountByID(ctx context.Context, id int64) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.db.QueryRow(ctx, `SELECT `+connectedCols+` FROM connected_accounts WHERE id = $1`, id))
	if err != nil {
		return store.ConnectedAccount{}, dbErr("connected account", err)
	}
	return a, nil
}

// ConnectedAccountsPage implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsPage(ctx context.Context, afterID int64, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.db, "connected accounts", scanConnected,
		`SELECT `+connectedCols+` FROM connected_accounts WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
}

// ConnectedAccountsAccessEndingBefore implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsAccessEndingBefore(ctx context.Context, t time.Time, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.db, "connected accounts to refresh", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts
		WHERE NOT needs_reconnect AND access_expires_at < $1
		ORDER BY access_expires_at, id LIMIT $2`, us(t), limit)
}

// ConnectedAccountsRefreshEndingBefore implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsRefreshEndingBefore(ctx context.Context, t time.Time, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.db, "connected accounts ending", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts
		WHERE refresh_expires_at < $1 AND NOT EXISTS (
			SELECT 1 FROM expiry_notices n WHERE n.account_id = connected_accounts.id AND n.threshold = 'ended')
		ORDER BY refresh_expires_at, id LIMIT $2`, us(t), limit)
}

// ConnectedAccountsByReportState implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountsByReportState(ctx context.Context, state store.ReportState, limit int) ([]store.ConnectedAccount, error) {
	return queryAll(ctx, q.db, "connected accounts by report state", scanConnected, `
		SELECT `+connectedCols+` FROM connected_accounts WHERE report_state = $1
		ORDER BY updated_at, id LIMIT $2`, string(state), limit)
}

// ConnectedAccountKeyIDs implements store.ConnectedAccounts.
func (q *queries) ConnectedAccountKeyIDs(ctx context.Context) ([]string, error) {
	return queryAll(ctx, q.db, "connected account key ids", func(s scanner) (string, error) {
		var id string
		err := s.Scan(&id)
		return id, err
	}, `SELECT DISTINCT key_id FROM connected_accounts ORDER BY key_id`)
}

// LeaseConnectedAccountRefresh implements store.ConnectedAccounts.
func (q *queries) LeaseConnectedAccountRefresh(ctx context.Context, id int64, until time.Time) (store.ConnectedAccount, error) {
	a, err := scanConnected(q.db.QueryRow(ctx, `
		UPDATE connected_accounts SET refresh_lease_until = $1
		WHERE id = $2 AND (refresh_lease_until IS NULL OR refresh_lease_until <= $3)
		RETURNING `+connectedCols, us(until), id, q.clock()))
	if errors.Is(err, pgx.ErrNoRows) {
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
	return exec1(ctx, q.db, "release refresh", `UPDATE connected_accounts SET refresh_lease_until = NULL WHERE id = $1`, id)
}

// UpdateConnectedAccountTokens implements store.ConnectedAccounts.
func (q *queries) UpdateConnectedAccountTokens(ctx context.Context, id int64, u store.TokenUpdate) (store.ConnectedAccount, error) {
	if err := store.CheckTokenUpdate(u); err != nil {
		return store.ConnectedAccount{}, fmt.Errorf("store: update tokens: %w", err)
	}
	a, err := scanConnected(q.db.QueryRow(ctx, `
		UPDATE connected_accounts SET sealed_access = $1, sealed_refresh = $2, key_id = $3,
			access_expires_at = $4, refresh_expires_at = $5, needs_reconnect = false,
			refresh_lease_until = NULL, updated_at = $6
		WHERE id = $7
		RETURNING `+connectedCols,
		u.SealedAccess, u.SealedRefresh, u.KeyID, nullTime(u.AccessExpiresAt), nullTime(u.RefreshExpiresAt),
		q.clock(), id))
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
	n, err := execN(ctx, q.db, "reseal", `
		UPDATE connected_accounts SET sealed_access = $1, sealed_refresh = $2, key_id = $3
		WHERE id = $4 AND sealed_refresh = $5`, access, refresh, keyID, id, oldSealedRefresh)
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
	return exec1(ctx, q.db, "mark needs reconnect", `
		UPDATE connected_accounts SET needs_reconnect = true, refresh_lease_until = NULL, updated_at = $1
		WHERE id = $2`, q.clock(), id)
}

// SetConnectedAccountReport implements store.ConnectedAccounts.
func (q *queries) SetConnectedAccountReport(ctx context.Context, id int64, state store.ReportState, message string) error {
	if !state.Valid() {
		return fmt.Errorf("store: set report: %w: state %q", store.ErrInvalid, state)
	}
	if err := store.CheckItemText(message); err != nil {
		return fmt.Errorf("store: set report: %w", err)
	}
	now := q.clock()
	return exec1(ctx, q.db, "set report", `
		UPDATE connected_accounts SET report_state = $1, report_message = $2, reported_at = $3, updated_at = $3
		WHERE id = $4`, string(state), message, now, id)
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
	a, err := scanConnected(q.db.QueryRow(ctx, `
		UPDATE connected_accounts SET store_url = $1, report_state = $2, report_message = '', updated_at = $3
		WHERE id = $4 AND user_id = $5
		RETURNING `+connectedCols, storeURL, string(state), q.clock(), id, userID))
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
	n, err := execN(ctx, q.db, "record notice", `
		INSERT INTO expiry_notices (account_id, threshold, sent_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, threshold) DO NOTHING`, accountID, threshold, q.clock())
	return n == 1, err
}

// ExpiryNotices implements store.ExpiryNotices.
func (q *queries) ExpiryNotices(ctx context.Context, userID, accountID int64) ([]store.ExpiryNotice, error) {
	return queryAll(ctx, q.db, "expiry notices", func(s scanner) (store.ExpiryNotice, error) {
		var n store.ExpiryNotice
		err := s.Scan(&n.AccountID, &n.Threshold, &n.SentAt)
		n.SentAt = n.SentAt.UTC()
		return n, err
	}, `
		SELECT n.account_id, n.threshold, n.sent_at FROM expiry_notices n
		JOIN connected_accounts a ON a.id = n.account_id
		WHERE n.account_id = $1 AND a.user_id = $2
		ORDER BY n.sent_at, n.threshold`, accountID, userID)
}

// Outbox.

const emailCols = `id, to_addr, subject, body, created_at, sent_at, attempts, last_error, next_attempt_at`

func scanEmail(s scanner) (store.Email, error) {
	var e store.Email
	var sent *time.Time
	err := s.Scan(&e.ID, &e.To, &e.Subject, &e.Body, &e.CreatedAt, &sent, &e.Attempts, &e.LastError, &e.NextAttemptAt)
	e.CreatedAt, e.SentAt, e.NextAttemptAt = e.CreatedAt.UTC(), utc(sent), e.NextAttemptAt.UTC()
	return e, err
}

// EnqueueEmail implements store.Outbox.
func (q *queries) EnqueueEmail(ctx context.Context, e store.Email) (store.Email, error) {
	if err := store.CheckEmail(e); err != nil {
		return store.Email{}, fmt.Errorf("store: enqueue email: %w", err)
	}
	now := q.clock()
	out, err := scanEmail(q.db.QueryRow(ctx, `
		INSERT INTO email_outbox (to_addr, subject, body, created_at, next_attempt_at) VALUES ($1, $2, $3, $4, $4)
		RETURNING `+emailCols, strings.TrimSpace(e.To), e.Subject, e.Body, now))
	if err != nil {
		return store.Email{}, dbErr("enqueue email", err)
	}
	return out, nil
}

// ClaimEmails implements store.Outbox. SKIP LOCKED lets two senders claim different messages
// instead of waiting for each other.
func (q *queries) ClaimEmails(ctx context.Context, limit int, lease time.Duration) ([]store.Email, error) {
	now := q.clock()
	return queryAll(ctx, q.db, "claim emails", scanEmail, `
		UPDATE email_outbox SET next_attempt_at = $1
		WHERE id IN (SELECT id FROM email_outbox WHERE sent_at IS NULL AND next_attempt_at <= $2
			ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+emailCols, now.Add(lease), now, limit)
}

// MarkEmailSent implements store.Outbox.
func (q *queries) MarkEmailSent(ctx context.Context, id int64) error {
	return exec1(ctx, q.db, "mark email sent",
		`UPDATE email_outbox SET sent_at = $1, last_error = '' WHERE id = $2 AND sent_at IS NULL`, q.clock(), id)
}

// MarkEmailFailed implements store.Outbox.
func (q *queries) MarkEmailFailed(ctx context.Context, id int64, lastError string, retryAt time.Time) error {
	if len(lastError) > store.MaxTextLen {
		lastError = lastError[:store.MaxTextLen]
	}
	return exec1(ctx, q.db, "mark email failed", `
		UPDATE email_outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2
		WHERE id = $3 AND sent_at IS NULL`, lastError, us(retryAt), id)
}

// Emails implements store.Outbox.
func (q *queries) Emails(ctx context.Context, limit int) ([]store.Email, error) {
	return queryAll(ctx, q.db, "emails", scanEmail,
		`SELECT `+emailCols+` FROM email_outbox ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
}

// OAuth states.

const oauthStateCols = `id, state_hash, user_id, session_id, store_url, created_at, expires_at, used_at`

func scanOAuthState(s scanner) (store.OAuthState, error) {
	var st store.OAuthState
	var used *time.Time
	var session *int64
	err := s.Scan(&st.ID, &st.Hash, &st.UserID, &session, &st.StoreURL, &st.CreatedAt, &st.ExpiresAt, &used)
	if session != nil {
		st.SessionID = *session
	}
	st.CreatedAt, st.ExpiresAt, st.UsedAt = st.CreatedAt.UTC(), st.ExpiresAt.UTC(), utc(used)
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
	out, err := scanOAuthState(q.db.QueryRow(ctx, `
		INSERT INTO oauth_states (state_hash, user_id, session_id, store_url, created_at, expires_at)
		SELECT $1, $2, NULLIF($3::bigint, 0), $4, $5, $6 FROM users WHERE id = $2
			AND ($3::bigint = 0 OR EXISTS (SELECT 1 FROM sessions WHERE id = $3::bigint AND user_id = $2))
		RETURNING `+oauthStateCols, s.Hash, s.UserID, s.SessionID, s.StoreURL, q.clock(), us(s.ExpiresAt)))
	if err != nil {
		return store.OAuthState{}, dbErr("create oauth state", err)
	}
	return out, nil
}

// UseOAuthState implements store.OAuthStates.
func (q *queries) UseOAuthState(ctx context.Context, hash []byte, userID, sessionID int64) (store.OAuthState, error) {
	out, err := scanOAuthState(q.db.QueryRow(ctx, `
		UPDATE oauth_states SET used_at = $1
		WHERE state_hash = $2 AND user_id = $3 AND (session_id = $4 OR session_id IS NULL)
			AND used_at IS NULL AND expires_at > $1
		RETURNING `+oauthStateCols, q.clock(), hash, userID, sessionID))
	if err != nil {
		return store.OAuthState{}, dbErr("use oauth state", err)
	}
	return out, nil
}

// DeleteExpiredOAuthStates implements store.OAuthStates.
func (q *queries) DeleteExpiredOAuthStates(ctx context.Context) (int64, error) {
	return execN(ctx, q.db, "delete expired oauth states",
		`DELETE FROM oauth_states WHERE expires_at <= $1 OR used_at IS NOT NULL`, q.clock())
}
