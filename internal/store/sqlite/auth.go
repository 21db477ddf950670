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

// Invitations.

const invitationCols = `id, token_hash, email, role, created_by, created_at, expires_at, used_at, used_by`

func scanInvitation(s scanner) (store.Invitation, error) {
	var inv store.Invitation
	var createdBy, usedBy, usedAt sql.NullInt64
	var created, expires int64
	err := s.Scan(&inv.ID, &inv.TokenHash, &inv.Email, &inv.Role, &createdBy, &created, &expires, &usedAt, &usedBy)
	inv.CreatedBy, inv.UsedBy = createdBy.Int64, usedBy.Int64
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = fromMicros(created), fromMicros(expires), fromNullMicros(usedAt)
	return inv, err
}

// CreateInvitation implements store.Invitations.
func (q *queries) CreateInvitation(ctx context.Context, inv store.Invitation) (store.Invitation, error) {
	switch {
	case len(inv.TokenHash) == 0:
		return store.Invitation{}, fmt.Errorf("store: create invitation: %w: no token hash", store.ErrInvalid)
	case !inv.Role.Valid():
		return store.Invitation{}, fmt.Errorf("store: create invitation: %w: role %q", store.ErrInvalid, inv.Role)
	case inv.ExpiresAt.IsZero():
		return store.Invitation{}, fmt.Errorf("store: create invitation: %w: no expiry", store.ErrInvalid)
	}
	row := q.w.QueryRowContext(ctx, `
		INSERT INTO invitations (token_hash, email, role, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)
		RETURNING `+invitationCols,
		inv.TokenHash, strings.TrimSpace(inv.Email), inv.Role, nullID(inv.CreatedBy), micros(q.clock()), micros(inv.ExpiresAt))
	created, err := scanInvitation(row)
	if err != nil {
		return store.Invitation{}, dbErr("create invitation", err)
	}
	return created, nil
}

// InvitationByTokenHash implements store.Invitations.
func (q *queries) InvitationByTokenHash(ctx context.Context, hash []byte) (store.Invitation, error) {
	inv, err := scanInvitation(q.r.QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = ?`, hash))
	if err != nil {
		return store.Invitation{}, dbErr("invitation", err)
	}
	return inv, nil
}

// UseInvitation implements store.Invitations.
func (q *queries) UseInvitation(ctx context.Context, id, userID int64) (store.Invitation, error) {
	now := micros(q.clock())
	inv, err := scanInvitation(q.w.QueryRowContext(ctx, `
		UPDATE invitations SET used_at = ?1, used_by = ?2
		WHERE id = ?3 AND used_at IS NULL AND expires_at > ?1
		RETURNING `+invitationCols, now, userID, id))
	if err != nil {
		return store.Invitation{}, dbErr("use invitation", err)
	}
	return inv, nil
}

// Invitations implements store.Invitations.
func (q *queries) Invitations(ctx context.Context) ([]store.Invitation, error) {
	return queryAll(ctx, q.r, "invitations", scanInvitation,
		`SELECT `+invitationCols+` FROM invitations ORDER BY created_at DESC, id DESC`)
}

// DeleteInvitation implements store.Invitations.
func (q *queries) DeleteInvitation(ctx context.Context, id int64) error {
	return exec1(ctx, q.w, "delete invitation", `DELETE FROM invitations WHERE id = ?`, id)
}

// Sessions.

const sessionCols = `id, token_hash, user_id, created_at, last_seen_at, idle_timeout, idle_expires_at, expires_at, user_agent, client_addr`

func scanSession(s scanner) (store.Session, error) {
	var ss store.Session
	var created, seen, idle, idleExp, exp int64
	err := s.Scan(&ss.ID, &ss.TokenHash, &ss.UserID, &created, &seen, &idle, &idleExp, &exp, &ss.UserAgent, &ss.ClientAddr)
	ss.CreatedAt, ss.LastSeenAt = fromMicros(created), fromMicros(seen)
	ss.IdleTimeout = time.Duration(idle) * time.Microsecond
	ss.IdleExpiresAt, ss.ExpiresAt = fromMicros(idleExp), fromMicros(exp)
	return ss, err
}

// CreateSession implements store.Sessions.
func (q *queries) CreateSession(ctx context.Context, s store.NewSession) (store.Session, error) {
	if err := checkNewSession(s); err != nil {
		return store.Session{}, err
	}
	now := q.clock()
	expires := now.Add(s.MaxAge)
	idleExpires := min(micros(now.Add(s.IdleTimeout)), micros(expires))
	row := q.w.QueryRowContext(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, idle_timeout, idle_expires_at, expires_at, user_agent, client_addr)
		VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8)
		RETURNING `+sessionCols,
		s.TokenHash, s.UserID, micros(now), s.IdleTimeout.Microseconds(), idleExpires, micros(expires), s.UserAgent, s.ClientAddr)
	created, err := scanSession(row)
	if err != nil {
		return store.Session{}, dbErr("create session", err)
	}
	return created, nil
}

func checkNewSession(s store.NewSession) error {
	switch {
	case len(s.TokenHash) == 0:
		return fmt.Errorf("store: create session: %w: no token hash", store.ErrInvalid)
	case s.IdleTimeout < time.Microsecond || s.MaxAge < time.Microsecond:
		return fmt.Errorf("store: create session: %w: idle timeout %v, max age %v", store.ErrInvalid, s.IdleTimeout, s.MaxAge)
	}
	return store.CheckItemText(s.UserAgent, s.ClientAddr)
}

// SessionByTokenHash implements store.Sessions.
func (q *queries) SessionByTokenHash(ctx context.Context, hash []byte) (store.Session, error) {
	s, err := scanSession(q.r.QueryRowContext(ctx, `
		SELECT `+sessionCols+` FROM sessions
		WHERE token_hash = ?1 AND idle_expires_at > ?2 AND expires_at > ?2`, hash, micros(q.clock())))
	if err != nil {
		return store.Session{}, dbErr("session", err)
	}
	return s, nil
}

// Sessions implements store.Sessions.
func (q *queries) Sessions(ctx context.Context, userID int64) ([]store.Session, error) {
	return queryAll(ctx, q.r, "sessions", scanSession, `
		SELECT `+sessionCols+` FROM sessions
		WHERE user_id = ?1 AND idle_expires_at > ?2 AND expires_at > ?2
		ORDER BY last_seen_at DESC, id DESC`, userID, micros(q.clock()))
}

// TouchSession implements store.Sessions.
func (q *queries) TouchSession(ctx context.Context, id int64) (store.Session, error) {
	s, err := scanSession(q.w.QueryRowContext(ctx, `
		UPDATE sessions SET last_seen_at = ?1, idle_expires_at = MIN(?1 + idle_timeout, expires_at)
		WHERE id = ?2 AND idle_expires_at > ?1 AND expires_at > ?1
		RETURNING `+sessionCols, micros(q.clock()), id))
	if err != nil {
		return store.Session{}, dbErr("touch session", err)
	}
	return s, nil
}

// DeleteSession implements store.Sessions.
func (q *queries) DeleteSession(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.w, "delete session", `DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, userID)
}

// DeleteSessions implements store.Sessions.
func (q *queries) DeleteSessions(ctx context.Context, userID, except int64) (int64, error) {
	return execN(ctx, q.w, "delete sessions", `DELETE FROM sessions WHERE user_id = ? AND id <> ?`, userID, except)
}

// DeleteExpiredSessions implements store.Sessions.
func (q *queries) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	return execN(ctx, q.w, "delete expired sessions",
		`DELETE FROM sessions WHERE idle_expires_at <= ?1 OR expires_at <= ?1`, micros(q.clock()))
}

// API tokens.

const apiTokenCols = `id, user_id, name, token_hash, hint, created_at, last_used_at, revoked_at`

func scanAPIToken(s scanner) (store.APIToken, error) {
	var t store.APIToken
	var created int64
	var used, revoked sql.NullInt64
	err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.Hint, &created, &used, &revoked)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = fromMicros(created), fromNullMicros(used), fromNullMicros(revoked)
	return t, err
}

// CreateAPIToken implements store.APITokens.
func (q *queries) CreateAPIToken(ctx context.Context, t store.APIToken) (store.APIToken, error) {
	if err := checkAPIToken(t); err != nil {
		return store.APIToken{}, err
	}
	row := q.w.QueryRowContext(ctx, `
		INSERT INTO api_tokens (user_id, name, token_hash, hint, created_at)
		VALUES (?, ?, ?, ?, ?)
		RETURNING `+apiTokenCols,
		t.UserID, strings.TrimSpace(t.Name), t.TokenHash, t.Hint, micros(q.clock()))
	created, err := scanAPIToken(row)
	if err != nil {
		return store.APIToken{}, dbErr("create api token", err)
	}
	return created, nil
}

func checkAPIToken(t store.APIToken) error {
	name := strings.TrimSpace(t.Name)
	switch {
	case name == "" || len(name) > store.MaxListNameLen:
		return fmt.Errorf("store: create api token: %w: name %q", store.ErrInvalid, t.Name)
	case len(t.TokenHash) == 0:
		return fmt.Errorf("store: create api token: %w: no token hash", store.ErrInvalid)
	}
	return nil
}

// APITokenByHash implements store.APITokens.
func (q *queries) APITokenByHash(ctx context.Context, hash []byte) (store.APIToken, error) {
	t, err := scanAPIToken(q.r.QueryRowContext(ctx,
		`SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL`, hash))
	if err != nil {
		return store.APIToken{}, dbErr("api token", err)
	}
	return t, nil
}

// APITokens implements store.APITokens.
func (q *queries) APITokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	return queryAll(ctx, q.r, "api tokens", scanAPIToken,
		`SELECT `+apiTokenCols+` FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
}

// TouchAPIToken implements store.APITokens.
func (q *queries) TouchAPIToken(ctx context.Context, id int64) error {
	return exec1(ctx, q.w, "touch api token",
		`UPDATE api_tokens SET last_used_at = ? WHERE id = ? AND revoked_at IS NULL`, micros(q.clock()), id)
}

// RevokeAPIToken implements store.APITokens.
func (q *queries) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.w, "revoke api token",
		`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`, micros(q.clock()), id, userID)
}

// Sign-in throttles.

const throttleCols = `key, failures, window_start, locked_until`

func scanThrottle(s scanner) (store.Throttle, error) {
	var t store.Throttle
	var start int64
	var locked sql.NullInt64
	err := s.Scan(&t.Key, &t.Failures, &start, &locked)
	t.WindowStart, t.LockedUntil = fromMicros(start), fromNullMicros(locked)
	return t, err
}

// Throttle implements store.Throttles.
func (q *queries) Throttle(ctx context.Context, key string) (store.Throttle, error) {
	t, err := scanThrottle(q.r.QueryRowContext(ctx, `SELECT `+throttleCols+` FROM sign_in_throttles WHERE key = ?`, key))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Throttle{Key: key}, nil
	}
	if err != nil {
		return store.Throttle{}, dbErr("throttle", err)
	}
	return t, nil
}

// AddThrottleFailure implements store.Throttles. One upsert does the count, so concurrent failures
// are never lost.
func (q *queries) AddThrottleFailure(ctx context.Context, key string, window time.Duration) (store.Throttle, error) {
	now := q.clock()
	t, err := scanThrottle(q.w.QueryRowContext(ctx, `
		INSERT INTO sign_in_throttles (key, failures, window_start) VALUES (?1, 1, ?2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN window_start <= ?3 THEN 1 ELSE failures + 1 END,
			window_start = CASE WHEN window_start <= ?3 THEN ?2 ELSE window_start END
		RETURNING `+throttleCols, key, micros(now), micros(now.Add(-window))))
	if err != nil {
		return store.Throttle{}, dbErr("add throttle failure", err)
	}
	return t, nil
}

// LockThrottle implements store.Throttles.
func (q *queries) LockThrottle(ctx context.Context, key string, until time.Time) (store.Throttle, error) {
	t, err := scanThrottle(q.w.QueryRowContext(ctx, `
		INSERT INTO sign_in_throttles (key, failures, window_start, locked_until) VALUES (?1, 0, ?2, ?3)
		ON CONFLICT (key) DO UPDATE SET
			failures = 0, window_start = ?2, locked_until = MAX(COALESCE(locked_until, 0), ?3)
		RETURNING `+throttleCols, key, micros(q.clock()), micros(until)))
	if err != nil {
		return store.Throttle{}, dbErr("lock throttle", err)
	}
	return t, nil
}

// ResetThrottle implements store.Throttles.
func (q *queries) ResetThrottle(ctx context.Context, key string) error {
	_, err := execN(ctx, q.w, "reset throttle", `DELETE FROM sign_in_throttles WHERE key = ?`, key)
	return err
}

// DeleteStaleThrottles implements store.Throttles.
func (q *queries) DeleteStaleThrottles(ctx context.Context, before time.Time) (int64, error) {
	return execN(ctx, q.w, "delete stale throttles", `
		DELETE FROM sign_in_throttles
		WHERE window_start < ?1 AND (locked_until IS NULL OR locked_until < ?1)`, micros(before))
}
