package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

var errHalfway = errors.New("failed halfway")

func testTxRollsBack(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	l := mustList(t, s, ana.ID, "Kept")

	err := s.WithTx(ctx, func(tx store.Store) error {
		u, err := tx.CreateUser(ctx, store.User{Email: "new@example.com", PasswordHash: "h", Role: store.RoleMember})
		if err != nil {
			return err
		}
		if _, err := tx.CreateList(ctx, u.ID, "New"); err != nil {
			return err
		}
		if _, _, err := tx.SaveItem(ctx, ana.ID, l.ID, store.ListItem{ProductID: "1", Price: money(1, "USD")}); err != nil {
			return err
		}
		if err := tx.SetRole(ctx, ana.ID, store.RoleOperator); err != nil {
			return err
		}
		// Inside, the transaction sees its own writes.
		if n, err := tx.CountUsers(ctx); err != nil || n != 2 {
			t.Errorf("CountUsers inside the transaction = %d, %v; want 2", n, err)
		}
		return errHalfway
	})
	if !errors.Is(err, errHalfway) {
		t.Fatalf("WithTx = %v; want the function's error", err)
	}
	assertUntouched(t, s, ana, l)
}

func assertUntouched(t *testing.T, s store.Store, ana store.User, l store.List) {
	t.Helper()
	ctx := ctxFor(t)
	if _, err := s.UserByEmail(ctx, "new@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("user created in a failed transaction: UserByEmail = %v; want ErrNotFound", err)
	}
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("CountUsers = %d after a failed transaction; want 1", n)
	}
	if items, _ := s.Items(ctx, ana.ID, l.ID); len(items) != 0 {
		t.Errorf("items saved in a failed transaction: %+v", items)
	}
	if u, _ := s.User(ctx, ana.ID); u.Role != store.RoleMember {
		t.Errorf("role changed in a failed transaction: %s", u.Role)
	}
}

func testTxPanicRollsBack(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	l := mustList(t, s, ana.ID, "Kept")
	func() {
		defer func() {
			if recover() == nil {
				t.Errorf("WithTx swallowed the panic")
			}
		}()
		s.WithTx(ctx, func(tx store.Store) error {
			if _, err := tx.CreateUser(ctx, store.User{Email: "new@example.com", PasswordHash: "h", Role: store.RoleMember}); err != nil {
				return err
			}
			panic("halfway")
		})
	}()
	assertUntouched(t, s, ana, l)
	// The store still works: the transaction's connection was given back.
	if _, err := s.CreateList(ctx, ana.ID, "After"); err != nil {
		t.Errorf("CreateList after a panicking transaction: %v", err)
	}
}

func testTxCommits(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	var id int64
	err := s.WithTx(ctx, func(tx store.Store) error {
		u, err := tx.CreateFirstUser(ctx, store.User{Email: "op@example.com", PasswordHash: "h"})
		if err != nil {
			return err
		}
		id = u.ID
		l, err := tx.CreateList(ctx, u.ID, "First")
		if err != nil {
			return err
		}
		if _, _, err := tx.SaveItem(ctx, u.ID, l.ID, store.ListItem{ProductID: "1", Price: money(1, "USD")}); err != nil {
			return err
		}
		_, err = tx.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: time.Hour})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	lists, err := s.Lists(ctx, id)
	if err != nil || len(lists) != 1 || lists[0].ItemCount != 1 {
		t.Errorf("after commit Lists = %+v, %v; want one list with one item", lists, err)
	}
	if _, err := s.SessionByTokenHash(ctx, hash(1)); err != nil {
		t.Errorf("after commit the session is missing: %v", err)
	}
}

// testNestedTx: a failed inner WithTx undoes only its own writes.
func testNestedTx(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	err := s.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.CreateUser(ctx, store.User{Email: "outer@example.com", PasswordHash: "h", Role: store.RoleMember}); err != nil {
			return err
		}
		inner := tx.WithTx(ctx, func(tx store.Store) error {
			if _, err := tx.CreateUser(ctx, store.User{Email: "inner@example.com", PasswordHash: "h", Role: store.RoleMember}); err != nil {
				return err
			}
			return errHalfway
		})
		if !errors.Is(inner, errHalfway) {
			t.Errorf("inner WithTx = %v; want its function's error", inner)
		}
		// A conflict inside a savepoint leaves the outer transaction usable, on every engine.
		inner = tx.WithTx(ctx, func(tx store.Store) error {
			_, err := tx.CreateUser(ctx, store.User{Email: "OUTER@example.com", PasswordHash: "h", Role: store.RoleMember})
			return err
		})
		if !errors.Is(inner, store.ErrConflict) {
			t.Errorf("inner WithTx with a duplicate email = %v; want ErrConflict", inner)
		}
		_, err := tx.CreateUser(ctx, store.User{Email: "after@example.com", PasswordHash: "h", Role: store.RoleMember})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for email, want := range map[string]error{"outer@example.com": nil, "inner@example.com": store.ErrNotFound, "after@example.com": nil} {
		_, err := s.UserByEmail(ctx, email)
		wantErr(t, "UserByEmail("+email+")", err, want)
	}
}

// testTimes: times come back in UTC to the microsecond, whatever zone the clock reads.
func testTimes(t *testing.T, open Opener) {
	paris := time.FixedZone("CET", 3600)
	now := time.Date(2026, 1, 2, 3, 4, 5, 999999999, paris)
	s := open(t, store.Options{Now: func() time.Time { return now }})
	u := mustUser(t, s, "ana@example.com")
	want := now.UTC().Truncate(time.Microsecond)
	if u.CreatedAt != want {
		t.Errorf("CreatedAt = %v (%s); want %v UTC", u.CreatedAt, u.CreatedAt.Location(), want)
	}
	got, err := s.User(ctxFor(t), u.ID)
	if err != nil || got.CreatedAt != want {
		t.Errorf("User().CreatedAt = %v, %v; want %v", got.CreatedAt, err, want)
	}
}
