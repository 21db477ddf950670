package postgres

import (
	"context"
	"fmt"

	"github.com/aliscout/aliscout/internal/store"
)

const userCols = `id, email, password_hash, role, disabled, created_at`

func scanUser(s scanner) (store.User, error) {
	var u store.User
	err := s.Scan(&u.ID, &u.Email, &u.PasswordHash, &u.Role, &u.Disabled, &u.CreatedAt)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// CreateUser implements store.Users.
func (q *queries) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	if err := store.CheckUser(u); err != nil {
		return store.User{}, fmt.Errorf("store: create user: %w", err)
	}
	return q.insertUser(ctx, u)
}

func (q *queries) insertUser(ctx context.Context, u store.User) (store.User, error) {
	row := q.db.QueryRow(ctx, `
		INSERT INTO users (email, email_key, password_hash, role, disabled, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+userCols,
		u.Email, store.EmailKey(u.Email), u.PasswordHash, string(u.Role), u.Disabled, q.clock())
	created, err := scanUser(row)
	if err != nil {
		return store.User{}, dbErr("create user", err)
	}
	return created, nil
}

// CreateFirstUser implements store.Users. The table lock (which lets readers through) makes the
// count and the insert one step against every other insert of a user.
func (q *queries) CreateFirstUser(ctx context.Context, u store.User) (store.User, error) {
	u.Role = store.RoleOperator
	if err := store.CheckUser(u); err != nil {
		return store.User{}, fmt.Errorf("store: create first user: %w", err)
	}
	var created store.User
	err := q.tx(ctx, func(t *queries) error {
		if _, err := t.db.Exec(ctx, `LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return dbErr("create first user", err)
		}
		var n int
		if err := t.db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
			return dbErr("create first user", err)
		}
		if n > 0 {
			return fmt.Errorf("store: create first user: %w: there are users already", store.ErrConflict)
		}
		var err error
		created, err = t.insertUser(ctx, u)
		return err
	})
	return created, err
}

// User implements store.Users.
func (q *queries) User(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(q.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if err != nil {
		return store.User{}, dbErr("user", err)
	}
	return u, nil
}

// UserByEmail implements store.Users.
func (q *queries) UserByEmail(ctx context.Context, email string) (store.User, error) {
	u, err := scanUser(q.db.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE email_key = $1`, store.EmailKey(email)))
	if err != nil {
		return store.User{}, dbErr("user by email", err)
	}
	return u, nil
}

// Users implements store.Users.
func (q *queries) Users(ctx context.Context) ([]store.User, error) {
	return queryAll(ctx, q.db, "users", scanUser, `SELECT `+userCols+` FROM users ORDER BY id`)
}

// CountUsers implements store.Users.
func (q *queries) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := q.db.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
		return 0, dbErr("count users", err)
	}
	return n, nil
}

// SetPasswordHash implements store.Users.
func (q *queries) SetPasswordHash(ctx context.Context, id int64, hash string) error {
	if hash == "" {
		return fmt.Errorf("store: set password: %w: empty hash", store.ErrInvalid)
	}
	return exec1(ctx, q.db, "set password", `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, id)
}

// SetRole implements store.Users.
func (q *queries) SetRole(ctx context.Context, id int64, role store.Role) error {
	if !role.Valid() {
		return fmt.Errorf("store: set role: %w: role %q", store.ErrInvalid, role)
	}
	return exec1(ctx, q.db, "set role", `UPDATE users SET role = $1 WHERE id = $2`, string(role), id)
}

// SetDisabled implements store.Users.
func (q *queries) SetDisabled(ctx context.Context, id int64, disabled bool) error {
	return exec1(ctx, q.db, "set disabled", `UPDATE users SET disabled = $1 WHERE id = $2`, disabled, id)
}

// DeleteUser implements store.Users.
func (q *queries) DeleteUser(ctx context.Context, id int64) error {
	return exec1(ctx, q.db, "delete user", `DELETE FROM users WHERE id = $1`, id)
}
