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

// Invitations.

const invitationCols = `id, token_hash, email, role, created_by, created_at, expires_at, used_at, used_by`

func scanInvitation(s scanner) (store.Invitation, error) {
	var inv store.Invitation
	var createdBy, usedBy *int64
	var usedAt *time.Time
	err := s.Scan(&inv.ID, &inv.TokenHash, &inv.Email, &inv.Role, &createdBy, &inv.CreatedAt, &inv.ExpiresAt, &usedAt, &usedBy)
	if createdBy != nil {
		inv.CreatedBy = *createdBy
	}
	if usedBy != nil {
		inv.UsedBy = *usedBy
	}
	inv.CreatedAt, inv.ExpiresAt, inv.UsedAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC(), utc(usedAt)
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
	row := q.db.QueryRow(ctx, `
		INSERT INTO invitations (token_hash, email, role, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+invitationCols,
		inv.TokenHash, strings.TrimSpace(inv.Email), string(inv.Role), nullID(inv.CreatedBy), q.clock(), us(inv.ExpiresAt))
	created, err := scanInvitation(row)
	if err != nil {
		return store.Invitation{}, dbErr("create invitation", err)
	}
	return created, nil
}

// InvitationByTokenHash implements store.Invitations.
func (q *queries) InvitationByTokenHash(ctx context.Context, hash []byte) (store.Invitation, error) {
	inv, err := scanInvitation(q.db.QueryRow(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = $1`, hash))
	if err != nil {
		return store.Invitation{}, dbErr("invitation", err)
	}
	return inv, nil
}

// UseInvitation implements store.Invitations. Of two concurrent uses the second waits for the
// first's row lock, then finds used_at set.
func (q *queries) UseInvitation(ctx context.Context, id, userID int64) (store.Invitation, error) {
	inv, err := scanInvitation(q.db.QueryRow(ctx, `
		UPDATE invitations SET used_at = $1, used_by = $2
		WHERE id = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING `+invitationCols, q.clock(), userID, id))
	if err != nil {
		return store.Invitation{}, dbErr("use invitation", err)
	}
	return inv, nil
}

// Invitations implements store.Invitations.
func (q *queries) Invitations(ctx context.Context) ([]store.Invitation, error) {
	return queryAll(ctx, q.db, "invitations", scanInvitation,
		`SELECT `+invitationCols+` FROM invitations ORDER BY created_at DESC, id DESC`)
}

// DeleteInvitation implements store.Invitations.
func (q *queries) DeleteInvitation(ctx context.Context, id int64) error {
	return exec1(ctx, q.db, "delete invitation", `DELETE FROM invitations WHERE id = $1`, id)
}

// Sessions.

const sessionCols = `id, token_hash, user_id, created_at, last_seen_at, idle_timeout, idle_expires_at, expires_at, user_agent, client_addr`

func scanSession(s scanner) (store.Session, error) {
	var ss store.Session
	var idle int64
	err := s.Scan(&ss.ID, &ss.TokenHash, &ss.UserID, &ss.CreatedAt, &ss.LastSeenAt, &idle, &ss.IdleExpiresAt, &ss.ExpiresAt, &ss.UserAgent, &ss.ClientAddr)
	ss.IdleTimeout = time.Duration(idle) * time.Microsecond
	ss.CreatedAt, ss.LastSeenAt = ss.CreatedAt.UTC(), ss.LastSeenAt.UTC()
	ss.IdleExpiresAt, ss.ExpiresAt = ss.IdleExpiresAt.UTC(), ss.ExpiresAt.UTC()
	return ss, err
}

// CreateSession implements store.Sessions.
func (q *queries) CreateSession(ctx context.Context, s store.NewSession) (store.Session, error) {
	if err := checkNewSession(s); err != nil {
		return store.Session{}, err
	}
	now := q.clock()
	idle := s.IdleTimeout.Truncate(time.Microsecond)
	expires := now.Add(s.MaxAge.Truncate(time.Microsecond))
	idleExpires := now.Add(idle)
	if idleExpires.After(expires) {
		idleExpires = expires
	}
	row := q.db.QueryRow(ctx, `
		INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, idle_timeout, idle_expires_at, expires_at, user_agent, client_addr)
		VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8)
		RETURNING `+sessionCols,
		s.TokenHash, s.UserID, now, idle.Microseconds(), idleExpires, expires, s.UserAgent, s.ClientAddr)
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
	s, err := scanSession(q.db.QueryRow(ctx, `
		SELECT `+sessionCols+` FROM sessions
		WHERE token_hash = $1 AND idle_expires_at > $2 AND expires_at > $2`, hash, q.clock()))
	if err != nil {
		return store.Session{}, dbErr("session", err)
	}
	return s, nil
}

// Sessions implements store.Sessions.
func (q *queries) Sessions(ctx context.Context, userID int64) ([]store.Session, error) {
	return queryAll(ctx, q.db, "sessions", scanSession, `
		SELECT `+sessionCols+` FROM sessions
		WHERE user_id = $1 AND idle_expires_at > $2 AND expires_at > $2
		ORDER BY last_seen_at DESC, id DESC`, userID, q.clock())
}

// TouchSession implements store.Sessions.
func (q *queries) TouchSession(ctx context.Context, id int64) (store.Session, error) {
	s, err := scanSession(q.db.QueryRow(ctx, `
		UPDATE sessions SET last_seen_at = $1,
			idle_expires_at = LEAST($1 + idle_timeout * INTERVAL '1 microsecond', expires_at)
		WHERE id = $2 AND idle_expires_at > $1 AND expires_at > $1
		RETURNING `+sessionCols, q.clock(), id))
	if err != nil {
		return store.Session{}, dbErr("touch session", err)
	}
	return s, nil
}

// DeleteSession implements store.Sessions.
func (q *queries) DeleteSession(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.db, "delete session", `DELETE FROM sessions WHERE id = $1 AND user_id = $2`, id, userID)
}

// DeleteSessions implements store.Sessions.
func (q *queries) DeleteSessions(ctx context.Context, userID, except int64) (int64, error) {
	return execN(ctx, q.db, "delete sessions", `DELETE FROM sessions WHERE user_id = $1 AND id <> $2`, userID, except)
}

// DeleteExpiredSessions implements store.Sessions.
func (q *queries) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	return execN(ctx, q.db, "delete expired sessions",
		`DELETE FROM sessions WHERE idle_expires_at <= $1 OR expires_at <= $1`, q.clock())
}

// API tokens.

const apiTokenCols = `id, user_id, name, token_hash, hint, created_at, last_used_at, revoked_at`

func scanAPIToken(s scanner) (store.APIToken, error) {
	var t store.APIToken
	var used, revoked *time.Time
	err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.TokenHash, &t.Hint, &t.CreatedAt, &used, &revoked)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), utc(used), utc(revoked)
	return t, err
}

// CreateAPIToken implements store.APITokens.
func (q *queries) CreateAPIToken(ctx context.Context, t store.APIToken) (store.APIToken, error) {
	if err := checkAPIToken(t); err != nil {
		return store.APIToken{}, err
	}
	row := q.db.QueryRow(ctx, `
		INSERT INTO api_tokens (user_id, name, token_hash, hint, created_at)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING `+apiTokenCols,
		t.UserID, strings.TrimSpace(t.Name), t.TokenHash, t.Hint, q.clock())
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
	t, err := scanAPIToken(q.db.QueryRow(ctx,
		`SELECT `+apiTokenCols+` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL`, hash))
	if err != nil {
		return store.APIToken{}, dbErr("api token", err)
	}
	return t, nil
}

// APITokens implements store.APITokens.
func (q *queries) APITokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	return queryAll(ctx, q.db, "api tokens", scanAPIToken,
		`SELECT `+apiTokenCols+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
}

// TouchAPIToken implements store.APITokens.
func (q *queries) TouchAPIToken(ctx context.Context, id int64) error {
	return exec1(ctx, q.db, "touch api token",
		`UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND revoked_at IS NULL`, q.clock(), id)
}

// RevokeAPIToken implements store.APITokens.
func (q *queries) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	return exec1(ctx, q.db, "revoke api token",
		`UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3`, q.clock(), id, userID)
}

// Sign-in throttles.

const throttleCols = `key, failures, window_start, locked_until`

func scanThrottle(s scanner) (store.Throttle, error) {
	var t store.Throttle
	var locked *time.Time
	err := s.Scan(&t.Key, &t.Failures, &t.WindowStart, &locked)
	t.WindowStart, t.LockedUntil = t.WindowStart.UTC(), utc(locked)
	return t, err
}

// Throttle implements store.Throttles.
func (q *queries) Throttle(ctx context.Context, key string) (store.Throttle, error) {
	t, err := scanThrottle(q.db.QueryRow(ctx, `SELECT `+throttleCols+` FROM sign_in_throttles WHERE key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Throttle{Key: key}, nil
	}
	if err != nil {
		return store.Throttle{}, dbErr("throttle", err)
	}
	return t, nil
}

// AddThrottleFailure implements store.Throttles. One upsert does the count, so concurrent failures
// on any replica are never lost.
func (q *queries) AddThrottleFailure(ctx context.Context, key string, window time.Duration) (store.Throttle, error) {
	now := q.clock()
	t, err := scanThrottle(q.db.QueryRow(ctx, `
		INSERT INTO sign_in_throttles AS t (key, failures, window_start) VALUES ($1, 1, $2)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN t.window_start <= $3 THEN 1 ELSE t.failures + 1 END,
			window_start = CASE WHEN t.window_start <= $3 THEN $2 ELSE t.window_start END
		RETURNING `+throttleCols, key, now, now.Add(-window)))
	if err != nil {
		return store.Throttle{}, dbErr("add throttle failure", err)
	}
	return t, nil
}

// LockThrottle implements store.Throttles.
func (q *queries) LockThrottle(ctx context.Context, key string, until time.Time) (store.Throttle, error) {
	t, err := scanThrottle(q.db.QueryRow(ctx, `
		INSERT INTO sign_in_throttles AS t (key, failures, window_start, locked_until) VALUES ($1, 0, $2, $3)
		ON CONFLICT (key) DO UPDATE SET
			failures = 0, window_start = $2, locked_until = GREATEST(t.locked_until, $3)
		RETURNING `+throttleCols, key, q.clock(), us(until)))
	if err != nil {
		return store.Throttle{}, dbErr("lock throttle", err)
	}
	return t, nil
}

// ResetThrottle implements store.Throttles.
func (q *queries) ResetThrottle(ctx context.Context, key string) error {
	_, err := execN(ctx, q.db, "reset throttle", `DELETE FROM sign_in_throttles WHERE key = $1`, key)
	return err
}

// DeleteStaleThrottles implements store.Throttles.
func (q *queries) DeleteStaleThrottles(ctx context.Context, before time.Time) (int64, error) {
	return execN(ctx, q.db, "delete stale throttles", `
		DELETE FROM sign_in_throttles
		WHERE window_start < $1 AND (locked_until IS NULL OR locked_until < $1)`, us(before))
}
