package storetest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aliscout/aliscout/internal/store"
)

func testUsers(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)

	if n, err := s.CountUsers(ctx); err != nil || n != 0 {
		t.Fatalf("CountUsers on a new store = %d, %v; want 0", n, err)
	}
	u, err := s.CreateUser(ctx, store.User{Email: "Ana@Example.com", PasswordHash: "h1", Role: store.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	want := store.User{ID: u.ID, Email: "Ana@Example.com", PasswordHash: "h1", Role: store.RoleMember,
		CreatedAt: us(start)}
	if diff := cmp.Diff(want, u); diff != "" {
		t.Errorf("CreateUser returned (-want +got):\n%s", diff)
	}
	if u.ID == 0 {
		t.Errorf("CreateUser gave ID 0")
	}
	got, err := s.User(ctx, u.ID)
	if err != nil || !cmp.Equal(got, u) {
		t.Errorf("User(%d) = %+v, %v; want %+v", u.ID, got, err, u)
	}
	for _, email := range []string{"ana@example.com", "ANA@EXAMPLE.COM", " Ana@Example.com "} {
		got, err := s.UserByEmail(ctx, email)
		if err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail(%q) = %+v, %v; want user %d", email, got, err, u.ID)
		}
	}
	_, err = s.UserByEmail(ctx, "bob@example.com")
	wantErr(t, "UserByEmail(unknown)", err, store.ErrNotFound)
	_, err = s.User(ctx, u.ID+1000)
	wantErr(t, "User(unknown)", err, store.ErrNotFound)

	b := mustUser(t, s, "bob@example.com")
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || users[0].ID != u.ID || users[1].ID != b.ID {
		t.Errorf("Users() = %+v; want ana then bob", users)
	}
	if n, err := s.CountUsers(ctx); err != nil || n != 2 {
		t.Errorf("CountUsers() = %d, %v; want 2", n, err)
	}

	wantErr(t, "SetPasswordHash", s.SetPasswordHash(ctx, u.ID, "h2"), nil)
	wantErr(t, "SetRole", s.SetRole(ctx, u.ID, store.RoleOperator), nil)
	wantErr(t, "SetDisabled", s.SetDisabled(ctx, u.ID, true), nil)
	got, err = s.User(ctx, u.ID)
	if err != nil || got.PasswordHash != "h2" || got.Role != store.RoleOperator || !got.Disabled {
		t.Errorf("after updates User = %+v, %v; want hash h2, operator, disabled", got, err)
	}
	wantErr(t, "SetDisabled(false)", s.SetDisabled(ctx, u.ID, false), nil)
	if got, _ := s.User(ctx, u.ID); got.Disabled {
		t.Errorf("after SetDisabled(false) the user is still disabled")
	}
	// Bob is untouched.
	if got, _ := s.User(ctx, b.ID); got.PasswordHash != b.PasswordHash || got.Role != store.RoleMember {
		t.Errorf("updating ana changed bob: %+v", got)
	}
}

func testUserErrors(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")

	for _, tc := range []struct {
		name string
		u    store.User
		want error
	}{
		{"same email", store.User{Email: "ana@example.com", PasswordHash: "h", Role: store.RoleMember}, store.ErrConflict},
		{"other case", store.User{Email: "ANA@example.COM", PasswordHash: "h", Role: store.RoleMember}, store.ErrConflict},
		{"no email", store.User{PasswordHash: "h", Role: store.RoleMember}, store.ErrInvalid},
		{"not an address", store.User{Email: "ana", PasswordHash: "h", Role: store.RoleMember}, store.ErrInvalid},
		{"no hash", store.User{Email: "c@example.com", Role: store.RoleMember}, store.ErrInvalid},
		{"bad role", store.User{Email: "c@example.com", PasswordHash: "h", Role: "root"}, store.ErrInvalid},
	} {
		_, err := s.CreateUser(ctx, tc.u)
		wantErr(t, "CreateUser("+tc.name+")", err, tc.want)
	}
	missing := u.ID + 1000
	wantErr(t, "SetPasswordHash(unknown)", s.SetPasswordHash(ctx, missing, "h"), store.ErrNotFound)
	wantErr(t, "SetRole(unknown)", s.SetRole(ctx, missing, store.RoleMember), store.ErrNotFound)
	wantErr(t, "SetRole(bad)", s.SetRole(ctx, u.ID, "root"), store.ErrInvalid)
	wantErr(t, "SetDisabled(unknown)", s.SetDisabled(ctx, missing, true), store.ErrNotFound)
	wantErr(t, "DeleteUser(unknown)", s.DeleteUser(ctx, missing), store.ErrNotFound)
	if n, _ := s.CountUsers(ctx); n != 1 {
		t.Errorf("after failed creates CountUsers = %d; want 1", n)
	}
}

// testUniqueEmailRace: many sign-ups with one address at once give one account.
func testUniqueEmailRace(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	const n = 16
	errs := parallel(n, func(i int) error {
		email := "race@example.com"
		if i%2 == 1 {
			email = "RACE@example.com"
		}
		_, err := s.CreateUser(ctx, store.User{Email: email, PasswordHash: fmt.Sprint(i), Role: store.RoleMember})
		return err
	})
	var won int
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("CreateUser #%d = %v; want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent CreateUser with one email succeeded; want 1", won, n)
	}
	if c, _ := s.CountUsers(ctx); c != 1 {
		t.Errorf("CountUsers = %d; want 1", c)
	}
}

// testFirstUserRace: of many first sign-ups on an empty store, one becomes the operator.
func testFirstUserRace(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	const n = 12
	errs := parallel(n, func(i int) error {
		_, err := s.CreateFirstUser(ctx, store.User{Email: fmt.Sprintf("u%d@example.com", i), PasswordHash: "h", Role: store.RoleMember})
		return err
	})
	var won int
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("CreateFirstUser #%d = %v; want nil or ErrConflict", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent CreateFirstUser succeeded; want 1", won, n)
	}
	users, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 1 || users[0].Role != store.RoleOperator {
		t.Errorf("Users() = %+v; want one operator", users)
	}
	_, err = s.CreateFirstUser(ctx, store.User{Email: "late@example.com", PasswordHash: "h"})
	wantErr(t, "CreateFirstUser on a store with a user", err, store.ErrConflict)
}

func testDeleteUserCascades(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	other := mustUser(t, s, "bob@example.com")
	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: 1e12, MaxAge: 1e13})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAPIToken(ctx, store.APIToken{UserID: u.ID, Name: "ci", TokenHash: hash(2)}); err != nil {
		t.Fatal(err)
	}
	l := mustList(t, s, u.ID, "Ideas")
	if _, _, err := s.SaveItem(ctx, u.ID, l.ID, store.ListItem{ProductID: "1", Price: money(100, "USD")}); err != nil {
		t.Fatal(err)
	}
	inv, err := s.CreateInvitation(ctx, store.Invitation{TokenHash: hash(3), Role: store.RoleMember, CreatedBy: u.ID, ExpiresAt: start.Add(1e12)})
	if err != nil {
		t.Fatal(err)
	}
	otherList := mustList(t, s, other.ID, "Ideas")

	wantErr(t, "DeleteUser", s.DeleteUser(ctx, u.ID), nil)
	_, err = s.SessionByTokenHash(ctx, sess.TokenHash)
	wantErr(t, "session of a deleted user", err, store.ErrNotFound)
	_, err = s.APITokenByHash(ctx, hash(2))
	wantErr(t, "api token of a deleted user", err, store.ErrNotFound)
	_, err = s.List(ctx, u.ID, l.ID)
	wantErr(t, "list of a deleted user", err, store.ErrNotFound)
	got, err := s.InvitationByTokenHash(ctx, inv.TokenHash)
	if err != nil || got.CreatedBy != 0 {
		t.Errorf("invitation by a deleted user = %+v, %v; want kept with CreatedBy 0", got, err)
	}
	if _, err := s.List(ctx, other.ID, otherList.ID); err != nil {
		t.Errorf("deleting ana lost bob's list: %v", err)
	}
}
