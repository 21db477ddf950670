package accounts_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/store/storetest"
)

var start = time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)

type fixture struct {
	svc   *accounts.Service
	st    store.Store
	clock *storetest.Clock
}

// newFixture returns a service on a new SQLite store sharing one test clock, with cheap argon2
// parameters and cfg's other settings.
func newFixture(t *testing.T, cfg accounts.Config) fixture {
	t.Helper()
	clock := storetest.NewClock(start)
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "aliscout.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if cfg.Password == (accounts.Params{}) {
		cfg.Password = fast
	}
	cfg.Now = clock.Now
	svc, err := accounts.New(db, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return fixture{svc: svc, st: db, clock: clock}
}

var browser = accounts.Client{UserAgent: "Mozilla/5.0 Firefox/140", Addr: "192.0.2.10:51234"}

func (f fixture) signUp(t *testing.T, email string) accounts.SignedIn {
	t.Helper()
	in, err := f.svc.SignUp(t.Context(), email, "password-"+email, "", browser)
	if err != nil {
		t.Fatalf("SignUp(%s): %v", email, err)
	}
	return in
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s = %v; want %v", what, err, target)
	}
}

func TestSignUpOpen(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	ctx := t.Context()
	first := f.signUp(t, "Op@Example.com")
	if first.User.Role != store.RoleOperator || first.User.Email != "Op@Example.com" {
		t.Errorf("first SignUp = %+v; want an operator", first.User)
	}
	if first.Token == "" || first.Session.UserID != first.User.ID {
		t.Errorf("first SignUp gave session %+v, token %q; want a session for the user", first.Session, first.Token)
	}
	if strings.Contains(first.User.PasswordHash, "password-") || !strings.HasPrefix(first.User.PasswordHash, "$argon2id$") {
		t.Errorf("stored password hash = %q; want an argon2id hash", first.User.PasswordHash)
	}
	second := f.signUp(t, "member@example.com")
	if second.User.Role != store.RoleMember {
		t.Errorf("second SignUp role = %s; want member", second.User.Role)
	}
	_, err := f.svc.SignUp(ctx, "MEMBER@example.com", "another password", "", browser)
	wantErr(t, "SignUp(taken email, other case)", err, accounts.ErrEmailTaken)
	_, err = f.svc.SignUp(ctx, "short@example.com", "1234567", "", browser)
	wantErr(t, "SignUp(7-character password)", err, accounts.ErrWeakPassword)
	var pe *accounts.PasswordError
	if !errors.As(err, &pe) || pe.Reason != "at least 8 characters" {
		t.Errorf("SignUp(short password) = %v; want a *PasswordError saying at least 8 characters", err)
	}
	_, err = f.svc.SignUp(ctx, "huge@example.com", strings.Repeat("x", 1025), "", browser)
	wantErr(t, "SignUp(1025-byte password)", err, accounts.ErrWeakPassword)
	for _, bad := range []string{"", "no-at", "@example.com", "a@", "a b@example.com"} {
		_, err = f.svc.SignUp(ctx, bad, "long enough password", "", browser)
		wantErr(t, fmt.Sprintf("SignUp(%q)", bad), err, accounts.ErrInvalidEmail)
	}
}

// TestFirstSignUpRace: of several people signing up at once on a new instance, one is operator.
func TestFirstSignUpRace(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	var wg sync.WaitGroup
	roles := make([]store.Role, 6)
	for i := range roles {
		wg.Go(func() {
			in, err := f.svc.SignUp(t.Context(), fmt.Sprintf("u%d@example.com", i), "long enough password", "", browser)
			if err != nil {
				t.Errorf("SignUp #%d: %v", i, err)
				return
			}
			roles[i] = in.User.Role
		})
	}
	wg.Wait()
	var operators int
	for _, r := range roles {
		if r == store.RoleOperator {
			operators++
		}
	}
	if operators != 1 {
		t.Errorf("roles after concurrent first sign-ups = %v; want exactly one operator", roles)
	}
}

func TestSignUpInvite(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpInvite, InvitationTTL: 48 * time.Hour})
	ctx := t.Context()
	op := f.signUp(t, "op@example.com") // the first account needs no invitation
	if op.User.Role != store.RoleOperator {
		t.Fatalf("first SignUp in invite mode = %s; want operator", op.User.Role)
	}
	_, err := f.svc.SignUp(ctx, "new@example.com", "long enough password", "", browser)
	wantErr(t, "SignUp without an invitation", err, accounts.ErrInvitationRequired)

	token, inv, err := f.svc.Invite(ctx, op.User.ID, "", store.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	if len(token) != 43 || !inv.ExpiresAt.Equal(start.Add(48*time.Hour)) || inv.CreatedBy != op.User.ID {
		t.Errorf("Invite = %q, %+v; want a 43-character token expiring in 48h", token, inv)
	}
	in, err := f.svc.SignUp(ctx, "new@example.com", "long enough password", token, browser)
	if err != nil || in.User.Role != store.RoleMember {
		t.Fatalf("SignUp with an invitation = %+v, %v", in.User, err)
	}
	_, err = f.svc.SignUp(ctx, "again@example.com", "long enough password", token, browser)
	wantErr(t, "SignUp with a used invitation", err, accounts.ErrInvitationInvalid)
	_, err = f.svc.SignUp(ctx, "again@example.com", "long enough password", "made-up", browser)
	wantErr(t, "SignUp with an unknown invitation", err, accounts.ErrInvitationInvalid)

	// An invitation for one address, with the operator role.
	bound, _, err := f.svc.Invite(ctx, op.User.ID, "Second.Op@example.com", store.RoleOperator)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.SignUp(ctx, "someone.else@example.com", "long enough password", bound, browser)
	wantErr(t, "SignUp with an invitation for another address", err, accounts.ErrInvitationInvalid)
	if _, err := f.st.UserByEmail(ctx, "someone.else@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused invitation left a user behind: %v", err)
	}
	in, err = f.svc.SignUp(ctx, "second.op@EXAMPLE.com", "long enough password", bound, browser)
	if err != nil || in.User.Role != store.RoleOperator {
		t.Errorf("SignUp with a bound operator invitation = %+v, %v; want an operator", in.User, err)
	}

	// An invitation for a taken email is not used up by the failed attempt.
	spare, _, _ := f.svc.Invite(ctx, op.User.ID, "", store.RoleMember)
	_, err = f.svc.SignUp(ctx, "new@example.com", "long enough password", spare, browser)
	wantErr(t, "SignUp with an invitation and a taken email", err, accounts.ErrEmailTaken)
	if _, err := f.svc.SignUp(ctx, "third@example.com", "long enough password", spare, browser); err != nil {
		t.Errorf("the invitation was used up by a failed sign-up: %v", err)
	}

	expiring, _, _ := f.svc.Invite(ctx, op.User.ID, "", store.RoleMember)
	f.clock.Advance(48 * time.Hour)
	_, err = f.svc.SignUp(ctx, "late@example.com", "long enough password", expiring, browser)
	wantErr(t, "SignUp with an expired invitation", err, accounts.ErrInvitationInvalid)

	_, _, err = f.svc.Invite(ctx, in.User.ID+100, "", store.RoleMember)
	if err == nil {
		t.Errorf("Invite by an unknown user succeeded")
	}
	member, _ := f.st.UserByEmail(ctx, "new@example.com")
	_, _, err = f.svc.Invite(ctx, member.ID, "", store.RoleMember)
	wantErr(t, "Invite by a member", err, accounts.ErrForbidden)
}

// TestInvitationAcceptRace: two people accepting one invitation at once give one account.
func TestInvitationAcceptRace(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpInvite})
	op := f.signUp(t, "op@example.com")
	token, _, err := f.svc.Invite(t.Context(), op.User.ID, "", store.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			_, errs[i] = f.svc.SignUp(t.Context(), fmt.Sprintf("n%d@example.com", i), "long enough password", token, browser)
		})
	}
	wg.Wait()
	var ok int
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, accounts.ErrInvitationInvalid):
			t.Errorf("SignUp #%d = %v; want nil or ErrInvitationInvalid", i, err)
		}
	}
	if n, _ := f.st.CountUsers(t.Context()); ok != 1 || n != 2 {
		t.Errorf("%d sign-ups succeeded and there are %d users; want 1 and 2", ok, n)
	}
}

func TestSignUpClosed(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpClosed})
	op := f.signUp(t, "op@example.com")
	if op.User.Role != store.RoleOperator {
		t.Errorf("first SignUp in closed mode = %s; want operator", op.User.Role)
	}
	_, err := f.svc.SignUp(t.Context(), "new@example.com", "long enough password", "", browser)
	wantErr(t, "SignUp when closed", err, accounts.ErrSignUpClosed)
	u, err := f.svc.CreateUser(t.Context(), "new@example.com", "long enough password", store.RoleMember)
	if err != nil || u.Role != store.RoleMember {
		t.Errorf("CreateUser when closed = %+v, %v; want a member", u, err)
	}
	if _, err := f.svc.SignIn(t.Context(), "new@example.com", "long enough password", browser); err != nil {
		t.Errorf("SignIn of a created user = %v", err)
	}
	if _, err := accounts.New(f.st, accounts.Config{Mode: "public"}); err == nil {
		t.Errorf("New with an unknown mode succeeded")
	}
}

func TestSignIn(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	ctx := t.Context()
	f.signUp(t, "ana@example.com")

	in, err := f.svc.SignIn(ctx, " ANA@example.com", "password-ana@example.com", browser)
	if err != nil {
		t.Fatal(err)
	}
	if in.Session.UserAgent != browser.UserAgent || in.Session.ClientAddr != browser.Addr {
		t.Errorf("session records %q from %q; want the client's", in.Session.UserAgent, in.Session.ClientAddr)
	}
	u, sess, err := f.svc.Session(ctx, in.Token)
	if err != nil || u.ID != in.User.ID || sess.ID != in.Session.ID {
		t.Errorf("Session(new token) = %+v, %+v, %v", u, sess, err)
	}

	_, wrongPassword := f.svc.SignIn(ctx, "ana@example.com", "wrong password", browser)
	_, unknownEmail := f.svc.SignIn(ctx, "nobody@example.com", "wrong password", browser)
	wantErr(t, "SignIn(wrong password)", wrongPassword, accounts.ErrInvalidCredentials)
	wantErr(t, "SignIn(unknown email)", unknownEmail, accounts.ErrInvalidCredentials)
	if wrongPassword.Error() != unknownEmail.Error() {
		t.Errorf("a wrong password says %q and an unknown email %q; they must not differ", wrongPassword, unknownEmail)
	}

	for _, bad := range []string{"", "junk", in.Token + "x", strings.ToUpper(in.Token)} {
		if _, _, err := f.svc.Session(ctx, bad); !errors.Is(err, accounts.ErrUnauthenticated) {
			t.Errorf("Session(%q) = %v; want ErrUnauthenticated", bad, err)
		}
	}
}

func TestSignInThrottledPerAccount(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen,
		AccountLimit: accounts.Limit{Failures: 3, Window: 10 * time.Minute, Lockout: 15 * time.Minute}})
	ctx := t.Context()
	f.signUp(t, "ana@example.com")
	for _, email := range []string{"ana@example.com", "nobody@example.com"} {
		t.Run(email, func(t *testing.T) {
			var err error
			for i := range 3 {
				// Each attempt from a different address: the account's own limit locks it.
				_, err = f.svc.SignIn(ctx, email, "wrong password", accounts.Client{Addr: fmt.Sprintf("198.51.100.%d", i)})
				f.clock.Advance(time.Second)
			}
			var te *accounts.ThrottledError
			if !errors.As(err, &te) {
				t.Fatalf("third failed SignIn = %v; want a *ThrottledError", err)
			}
			wantUntil := f.clock.Now().Add(-time.Second).Add(15 * time.Minute)
			if !te.Until.Equal(wantUntil) {
				t.Errorf("locked until %v; want %v", te.Until, wantUntil)
			}
			if !strings.Contains(te.Error(), "try again at "+wantUntil.Format(time.RFC3339)) {
				t.Errorf("ThrottledError says %q; want it to say when to try again", te)
			}
			// While locked out, even the right password is refused, with the same answer
			// whether or not the account exists.
			_, err = f.svc.SignIn(ctx, email, "password-"+email, browser)
			if !errors.As(err, &te) || !te.Until.Equal(wantUntil) {
				t.Errorf("SignIn while locked = %v; want ThrottledError until %v", err, wantUntil)
			}
			// Another account is not affected.
			if _, err := f.svc.SignIn(ctx, "other@example.com", "x", browser); !errors.Is(err, accounts.ErrInvalidCredentials) {
				t.Errorf("SignIn of another account = %v; want ErrInvalidCredentials", err)
			}
			f.clock.Advance(15 * time.Minute)
		})
	}
	if _, err := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err != nil {
		t.Errorf("SignIn after the lock-out = %v", err)
	}
	// A success forgets the account's failures.
	for range 2 {
		f.svc.SignIn(ctx, "ana@example.com", "wrong password", browser)
	}
	if _, err := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err != nil {
		t.Errorf("SignIn after 2 failures = %v", err)
	}
	for range 2 {
		f.svc.SignIn(ctx, "ana@example.com", "wrong password", browser)
	}
	if _, err := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err != nil {
		t.Errorf("SignIn after a success and 2 more failures = %v; the success should have reset the count", err)
	}
}

func TestSignInThrottledPerAddress(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen,
		AddressLimit: accounts.Limit{Failures: 4, Window: time.Hour, Lockout: time.Hour}})
	ctx := t.Context()
	f.signUp(t, "victim@example.com")
	// One address tries many accounts, one attempt each.
	attacker := accounts.Client{Addr: "[2001:db8:1:2::10]:443"}
	for i := range 4 {
		f.svc.SignIn(ctx, fmt.Sprintf("guess%d@example.com", i), "password", attacker)
	}
	// Another host in the same /64 is the same client.
	_, err := f.svc.SignIn(ctx, "victim@example.com", "password-victim@example.com", accounts.Client{Addr: "2001:db8:1:2::99"})
	wantErr(t, "SignIn from a throttled /64", err, accounts.ErrThrottled)
	if _, err := f.svc.SignIn(ctx, "victim@example.com", "password-victim@example.com", accounts.Client{Addr: "2001:db8:1:3::10"}); err != nil {
		t.Errorf("SignIn from another /64 = %v", err)
	}
}

func TestSignInDisabled(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	ctx := t.Context()
	f.signUp(t, "op@example.com")
	ana := f.signUp(t, "ana@example.com")
	if err := f.svc.SetDisabled(ctx, ana.User.ID, true); err != nil {
		t.Fatal(err)
	}
	_, _, err := f.svc.Session(ctx, ana.Token)
	wantErr(t, "Session of a disabled user", err, accounts.ErrUnauthenticated)
	_, err = f.svc.SignIn(ctx, "ana@example.com", "wrong password", browser)
	wantErr(t, "SignIn(disabled, wrong password)", err, accounts.ErrInvalidCredentials)
	_, err = f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser)
	wantErr(t, "SignIn(disabled)", err, accounts.ErrAccountDisabled)
	if err := f.svc.SetDisabled(ctx, ana.User.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err != nil {
		t.Errorf("SignIn after re-enabling = %v", err)
	}
}

func TestSignInRehashes(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	ctx := t.Context()
	ana := f.signUp(t, "ana@example.com")
	stronger := fast
	stronger.Iterations = 3
	svc, err := accounts.New(f.st, accounts.Config{Mode: accounts.SignUpOpen, Password: stronger, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err != nil {
		t.Fatal(err)
	}
	u, _ := f.st.User(ctx, ana.User.ID)
	if accounts.NeedsRehash(u.PasswordHash, stronger) || !strings.Contains(u.PasswordHash, ",t=3,") {
		t.Errorf("after signing in with stronger parameters the hash is %q; want it upgraded", u.PasswordHash)
	}
	if _, err := svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err != nil {
		t.Errorf("SignIn with the upgraded hash = %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen, SessionIdle: time.Hour, SessionMaxAge: 5 * time.Hour,
		TouchEvery: 5 * time.Minute})
	ctx := t.Context()
	in := f.signUp(t, "ana@example.com")

	// A request within TouchEvery writes nothing.
	f.clock.Advance(time.Minute)
	_, sess, err := f.svc.Session(ctx, in.Token)
	if err != nil || !sess.LastSeenAt.Equal(start) {
		t.Errorf("Session after 1m = last seen %v, %v; want unchanged %v", sess.LastSeenAt, err, start)
	}
	// Used every 50 minutes the session outlives its idle timeout, up to its absolute end.
	for f.clock.Now().Before(start.Add(4 * time.Hour)) {
		f.clock.Advance(50 * time.Minute)
		_, sess, err := f.svc.Session(ctx, in.Token)
		if err != nil {
			t.Fatalf("Session at +%v = %v", f.clock.Now().Sub(start), err)
		}
		if !sess.LastSeenAt.Equal(f.clock.Now()) {
			t.Errorf("Session at +%v last seen %v; want now", f.clock.Now().Sub(start), sess.LastSeenAt)
		}
	}
	f.clock.Advance(5*time.Hour - f.clock.Now().Sub(start))
	_, _, err = f.svc.Session(ctx, in.Token)
	wantErr(t, "Session at its absolute expiry", err, accounts.ErrUnauthenticated)

	// Left alone for the idle timeout, a session ends.
	in2, err := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Hour)
	_, _, err = f.svc.Session(ctx, in2.Token)
	wantErr(t, "Session after the idle timeout", err, accounts.ErrUnauthenticated)
}

func TestSignOut(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	ctx := t.Context()
	laptop := f.signUp(t, "ana@example.com")
	phone, _ := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", accounts.Client{UserAgent: "phone"})
	tablet, _ := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", accounts.Client{UserAgent: "tablet"})
	bob := f.signUp(t, "bob@example.com")

	list, err := f.svc.Sessions(ctx, laptop.User.ID)
	if err != nil || len(list) != 3 {
		t.Fatalf("Sessions = %d, %v; want 3", len(list), err)
	}
	if err := f.svc.SignOut(ctx, phone.Token); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.Session(ctx, phone.Token)
	wantErr(t, "Session after SignOut", err, accounts.ErrUnauthenticated)
	if err := f.svc.SignOut(ctx, phone.Token); err != nil {
		t.Errorf("SignOut twice = %v; want nil", err)
	}
	wantErr(t, "EndSession(bob ends ana's)", f.svc.EndSession(ctx, bob.User.ID, tablet.Session.ID), store.ErrNotFound)
	n, err := f.svc.SignOutOthers(ctx, laptop.User.ID, laptop.Session.ID)
	if err != nil || n != 1 {
		t.Errorf("SignOutOthers = %d, %v; want 1 (the tablet)", n, err)
	}
	if _, _, err := f.svc.Session(ctx, laptop.Token); err != nil {
		t.Errorf("SignOutOthers ended the current session: %v", err)
	}
	if _, _, err := f.svc.Session(ctx, bob.Token); err != nil {
		t.Errorf("ana's SignOutOthers ended bob's session: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen,
		AccountLimit: accounts.Limit{Failures: 3, Window: time.Hour, Lockout: time.Hour}})
	ctx := t.Context()
	here := f.signUp(t, "ana@example.com")
	there, _ := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser)

	err := f.svc.ChangePassword(ctx, here.User.ID, here.Session.ID, "wrong", "new long password")
	wantErr(t, "ChangePassword(wrong current)", err, accounts.ErrInvalidCredentials)
	err = f.svc.ChangePassword(ctx, here.User.ID, here.Session.ID, "password-ana@example.com", "short")
	wantErr(t, "ChangePassword(short new)", err, accounts.ErrWeakPassword)
	if _, _, err := f.svc.Session(ctx, there.Token); err != nil {
		t.Fatalf("a refused change ended a session: %v", err)
	}

	if err := f.svc.ChangePassword(ctx, here.User.ID, here.Session.ID, "password-ana@example.com", "new long password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Session(ctx, here.Token); err != nil {
		t.Errorf("ChangePassword ended the session that made it: %v", err)
	}
	_, _, err = f.svc.Session(ctx, there.Token)
	wantErr(t, "other Session after ChangePassword", err, accounts.ErrUnauthenticated)
	_, err = f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser)
	wantErr(t, "SignIn with the old password", err, accounts.ErrInvalidCredentials)
	if _, err := f.svc.SignIn(ctx, "ana@example.com", "new long password", browser); err != nil {
		t.Errorf("SignIn with the new password = %v", err)
	}

	// Guessing the current password from a stolen session is throttled too.
	for range 3 {
		err = f.svc.ChangePassword(ctx, here.User.ID, here.Session.ID, "guess", "new long password 2")
	}
	wantErr(t, "ChangePassword after 3 wrong guesses", err, accounts.ErrThrottled)
	err = f.svc.ChangePassword(ctx, here.User.ID, here.Session.ID, "new long password", "new long password 2")
	wantErr(t, "ChangePassword while locked", err, accounts.ErrThrottled)
}

func TestAPITokens(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen, TouchEvery: time.Minute})
	ctx := t.Context()
	ana := f.signUp(t, "ana@example.com")
	bob := f.signUp(t, "bob@example.com")

	token, rec, err := f.svc.CreateAPIToken(ctx, ana.User.ID, "shopify sync")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(token, accounts.APITokenPrefix) || len(token) != 46 {
		t.Errorf("CreateAPIToken = %q; want as_ and 43 characters", token)
	}
	if rec.Hint != "…"+token[len(token)-4:] || rec.Name != "shopify sync" {
		t.Errorf("token record = %+v; want the name and a hint of the last 4 characters", rec)
	}
	_, _, err = f.svc.CreateAPIToken(ctx, ana.User.ID, "shopify sync")
	wantErr(t, "CreateAPIToken(same name)", err, accounts.ErrTokenNameTaken)

	f.clock.Advance(time.Hour)
	u, got, err := f.svc.AuthenticateToken(ctx, token)
	if err != nil || u.ID != ana.User.ID || got.ID != rec.ID {
		t.Fatalf("AuthenticateToken = %+v, %+v, %v", u, got, err)
	}
	list, err := f.svc.APITokens(ctx, ana.User.ID)
	if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(f.clock.Now()) {
		t.Errorf("APITokens after use = %+v, %v; want last used now", list, err)
	}
	for _, l := range list {
		if strings.Contains(fmt.Sprintf("%+v", l), token) {
			t.Errorf("APITokens shows the token in clear: %+v", l)
		}
	}
	for _, bad := range []string{"", token[3:], "as_" + strings.Repeat("A", 43), ana.Token} {
		if _, _, err := f.svc.AuthenticateToken(ctx, bad); !errors.Is(err, accounts.ErrUnauthenticated) {
			t.Errorf("AuthenticateToken(%q) = %v; want ErrUnauthenticated", bad, err)
		}
	}
	// A session cookie is not an API token, nor the reverse.
	if _, _, err := f.svc.Session(ctx, token); !errors.Is(err, accounts.ErrUnauthenticated) {
		t.Errorf("Session(api token) = %v; want ErrUnauthenticated", err)
	}

	wantErr(t, "RevokeAPIToken(bob revokes ana's)", f.svc.RevokeAPIToken(ctx, bob.User.ID, rec.ID), store.ErrNotFound)
	if err := f.svc.RevokeAPIToken(ctx, ana.User.ID, rec.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.AuthenticateToken(ctx, token)
	wantErr(t, "AuthenticateToken(revoked)", err, accounts.ErrUnauthenticated)

	other, _, _ := f.svc.CreateAPIToken(ctx, ana.User.ID, "cli")
	if err := f.svc.SetDisabled(ctx, ana.User.ID, true); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.AuthenticateToken(ctx, other)
	wantErr(t, "AuthenticateToken(disabled user)", err, accounts.ErrUnauthenticated)
}

func TestParseSignUpMode(t *testing.T) {
	for in, want := range map[string]accounts.SignUpMode{"open": accounts.SignUpOpen, " Invite ": accounts.SignUpInvite, "CLOSED": accounts.SignUpClosed} {
		if got, err := accounts.ParseSignUpMode(in); err != nil || got != want {
			t.Errorf("ParseSignUpMode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := accounts.ParseSignUpMode("public"); err == nil {
		t.Errorf("ParseSignUpMode(public) succeeded")
	}
}

// TestHashingRespectsContext: a sign-in waiting for a hashing slot gives up with its request.
func TestHashingRespectsContext(t *testing.T) {
	f := newFixture(t, accounts.Config{Mode: accounts.SignUpOpen})
	f.signUp(t, "ana@example.com")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := f.svc.SignIn(ctx, "ana@example.com", "password-ana@example.com", browser); err == nil {
		t.Errorf("SignIn with a cancelled context succeeded")
	}
}
