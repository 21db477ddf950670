package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aliscout/aliscout/internal/store"
)

func testInvitations(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	op := mustUser(t, s, "op@example.com")

	inv, err := s.CreateInvitation(ctx, store.Invitation{TokenHash: hash(1), Email: "new@example.com", Role: store.RoleMember,
		CreatedBy: op.ID, ExpiresAt: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Invitation{ID: inv.ID, TokenHash: hash(1), Email: "new@example.com", Role: store.RoleMember,
		CreatedBy: op.ID, CreatedAt: us(start), ExpiresAt: us(start.Add(48 * time.Hour))}
	if diff := cmp.Diff(want, inv); diff != "" {
		t.Errorf("CreateInvitation returned (-want +got):\n%s", diff)
	}
	if !inv.Usable(clock.Now()) {
		t.Errorf("a new invitation is not usable")
	}
	got, err := s.InvitationByTokenHash(ctx, hash(1))
	if err != nil || !cmp.Equal(got, inv) {
		t.Errorf("InvitationByTokenHash = %+v, %v; want %+v", got, err, inv)
	}
	_, err = s.InvitationByTokenHash(ctx, hash(99))
	wantErr(t, "InvitationByTokenHash(unknown)", err, store.ErrNotFound)
	_, err = s.CreateInvitation(ctx, store.Invitation{TokenHash: hash(1), Role: store.RoleMember, ExpiresAt: start.Add(time.Hour)})
	wantErr(t, "CreateInvitation(same token)", err, store.ErrConflict)
	_, err = s.CreateInvitation(ctx, store.Invitation{TokenHash: hash(2), Role: "root", ExpiresAt: start.Add(time.Hour)})
	wantErr(t, "CreateInvitation(bad role)", err, store.ErrInvalid)

	newcomer := mustUser(t, s, "new@example.com")
	clock.Advance(time.Hour)
	used, err := s.UseInvitation(ctx, inv.ID, newcomer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !used.UsedAt.Equal(us(start.Add(time.Hour))) || used.UsedBy != newcomer.ID || used.Usable(clock.Now()) {
		t.Errorf("UseInvitation = %+v; want used at %v by %d", used, start.Add(time.Hour), newcomer.ID)
	}
	_, err = s.UseInvitation(ctx, inv.ID, newcomer.ID)
	wantErr(t, "UseInvitation twice", err, store.ErrNotFound)

	expiring, err := s.CreateInvitation(ctx, store.Invitation{TokenHash: hash(3), Role: store.RoleOperator, ExpiresAt: clock.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	_, err = s.UseInvitation(ctx, expiring.ID, newcomer.ID)
	wantErr(t, "UseInvitation(expired)", err, store.ErrNotFound)

	all, err := s.Invitations(ctx)
	if err != nil || len(all) != 2 || all[0].ID != expiring.ID || all[1].ID != inv.ID {
		t.Errorf("Invitations() = %+v, %v; want the expiring one, then the used one", all, err)
	}
	wantErr(t, "DeleteInvitation", s.DeleteInvitation(ctx, expiring.ID), nil)
	wantErr(t, "DeleteInvitation(again)", s.DeleteInvitation(ctx, expiring.ID), store.ErrNotFound)
}

// testInvitationUseRace: an invitation accepted twice at once is used once.
func testInvitationUseRace(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "a@example.com")
	inv, err := s.CreateInvitation(ctx, store.Invitation{TokenHash: hash(1), Role: store.RoleMember, ExpiresAt: start.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := parallel(n, func(int) error {
		_, err := s.UseInvitation(ctx, inv.ID, u.ID)
		return err
	})
	var won int
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrNotFound):
			t.Errorf("UseInvitation #%d = %v; want nil or ErrNotFound", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d concurrent UseInvitation succeeded; want 1", won, n)
	}
}

func testSessions(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")

	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: time.Hour,
		MaxAge: 24 * time.Hour, UserAgent: "Firefox", ClientAddr: "192.0.2.1"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.Session{ID: sess.ID, TokenHash: hash(1), UserID: u.ID, CreatedAt: us(start), LastSeenAt: us(start),
		IdleTimeout: time.Hour, IdleExpiresAt: us(start).Add(time.Hour), ExpiresAt: us(start).Add(24 * time.Hour),
		UserAgent: "Firefox", ClientAddr: "192.0.2.1"}
	if diff := cmp.Diff(want, sess); diff != "" {
		t.Errorf("CreateSession returned (-want +got):\n%s", diff)
	}
	got, err := s.SessionByTokenHash(ctx, hash(1))
	if err != nil || !cmp.Equal(got, sess) {
		t.Errorf("SessionByTokenHash = %+v, %v; want %+v", got, err, sess)
	}
	_, err = s.SessionByTokenHash(ctx, hash(2))
	wantErr(t, "SessionByTokenHash(unknown)", err, store.ErrNotFound)
	_, err = s.CreateSession(ctx, store.NewSession{TokenHash: hash(3), UserID: u.ID + 1000, IdleTimeout: time.Hour, MaxAge: time.Hour})
	wantErr(t, "CreateSession(unknown user)", err, store.ErrNotFound)
	_, err = s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: time.Hour})
	wantErr(t, "CreateSession(same token)", err, store.ErrConflict)
	_, err = s.CreateSession(ctx, store.NewSession{TokenHash: hash(4), UserID: u.ID})
	wantErr(t, "CreateSession(no lifetimes)", err, store.ErrInvalid)

	clock.Advance(10 * time.Minute)
	second, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(5), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.Sessions(ctx, u.ID)
	if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != sess.ID {
		t.Errorf("Sessions() = %+v, %v; want the newer then the older", list, err)
	}
	n, err := s.DeleteSessions(ctx, u.ID, second.ID)
	if err != nil || n != 1 {
		t.Errorf("DeleteSessions(except %d) = %d, %v; want 1", second.ID, n, err)
	}
	if _, err := s.SessionByTokenHash(ctx, hash(5)); err != nil {
		t.Errorf("the kept session is gone: %v", err)
	}
	wantErr(t, "DeleteSession", s.DeleteSession(ctx, u.ID, second.ID), nil)
	_, err = s.SessionByTokenHash(ctx, hash(5))
	wantErr(t, "SessionByTokenHash after DeleteSession", err, store.ErrNotFound)
	wantErr(t, "DeleteSession(again)", s.DeleteSession(ctx, u.ID, second.ID), store.ErrNotFound)
}

func testSessionIdleExpiry(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: 30 * time.Minute, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	// Used every 20 minutes, the session lives past its first idle deadline.
	for range 4 {
		clock.Advance(20 * time.Minute)
		touched, err := s.TouchSession(ctx, sess.ID)
		if err != nil {
			t.Fatalf("TouchSession at %v: %v", clock.Now(), err)
		}
		if !touched.LastSeenAt.Equal(us(clock.Now())) || !touched.IdleExpiresAt.Equal(us(clock.Now()).Add(30*time.Minute)) {
			t.Errorf("TouchSession = last seen %v, idle expiry %v; want %v and 30m later", touched.LastSeenAt, touched.IdleExpiresAt, clock.Now())
		}
	}
	if _, err := s.SessionByTokenHash(ctx, hash(1)); err != nil {
		t.Fatalf("SessionByTokenHash while used = %v", err)
	}
	clock.Advance(30*time.Minute - time.Microsecond)
	if _, err := s.SessionByTokenHash(ctx, hash(1)); err != nil {
		t.Errorf("SessionByTokenHash 1µs before the idle expiry = %v", err)
	}
	clock.Advance(time.Microsecond)
	_, err = s.SessionByTokenHash(ctx, hash(1))
	wantErr(t, "SessionByTokenHash at the idle expiry", err, store.ErrNotFound)
	_, err = s.TouchSession(ctx, sess.ID)
	wantErr(t, "TouchSession after the idle expiry", err, store.ErrNotFound)
	if list, _ := s.Sessions(ctx, u.ID); len(list) != 0 {
		t.Errorf("Sessions() after expiry = %+v; want none", list)
	}
	n, err := s.DeleteExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions() = %d, %v; want 1", n, err)
	}
}

func testSessionAbsoluteExpiry(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: 3 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	live, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(2), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: 30 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		clock.Advance(50 * time.Minute)
		_, err := s.TouchSession(ctx, sess.ID)
		if clock.Now().Before(start.Add(3 * time.Hour)) {
			if err != nil {
				t.Fatalf("TouchSession at +%v = %v", clock.Now().Sub(start), err)
			}
		} else {
			wantErr(t, "TouchSession after the absolute expiry", err, store.ErrNotFound)
		}
		if _, err := s.TouchSession(ctx, live.ID); err != nil {
			t.Fatalf("TouchSession(long session) at +%v = %v", clock.Now().Sub(start), err)
		}
	}
	// Touches never push the idle expiry past the absolute one.
	_, err = s.SessionByTokenHash(ctx, hash(1))
	wantErr(t, "SessionByTokenHash after the absolute expiry, though used", err, store.ErrNotFound)
	n, err := s.DeleteExpiredSessions(ctx)
	if err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions() = %d, %v; want 1", n, err)
	}
	if _, err := s.SessionByTokenHash(ctx, hash(2)); err != nil {
		t.Errorf("DeleteExpiredSessions removed a live session: %v", err)
	}
}

func testSessionOwnership(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")
	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: ana.ID, IdleTimeout: time.Hour, MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteSession(another user's)", s.DeleteSession(ctx, bob.ID, sess.ID), store.ErrNotFound)
	if n, err := s.DeleteSessions(ctx, bob.ID, 0); err != nil || n != 0 {
		t.Errorf("DeleteSessions(bob) = %d, %v; want 0", n, err)
	}
	if list, _ := s.Sessions(ctx, bob.ID); len(list) != 0 {
		t.Errorf("Sessions(bob) = %+v; want none", list)
	}
	if _, err := s.SessionByTokenHash(ctx, hash(1)); err != nil {
		t.Errorf("ana's session is gone: %v", err)
	}
}

func testAPITokens(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")

	tok, err := s.CreateAPIToken(ctx, store.APIToken{UserID: ana.ID, Name: "ci", TokenHash: hash(1), Hint: "…a1b2"})
	if err != nil {
		t.Fatal(err)
	}
	want := store.APIToken{ID: tok.ID, UserID: ana.ID, Name: "ci", TokenHash: hash(1), Hint: "…a1b2", CreatedAt: us(start)}
	if diff := cmp.Diff(want, tok); diff != "" {
		t.Errorf("CreateAPIToken returned (-want +got):\n%s", diff)
	}
	_, err = s.CreateAPIToken(ctx, store.APIToken{UserID: ana.ID, Name: "ci", TokenHash: hash(2)})
	wantErr(t, "CreateAPIToken(same name)", err, store.ErrConflict)
	if _, err := s.CreateAPIToken(ctx, store.APIToken{UserID: bob.ID, Name: "ci", TokenHash: hash(3)}); err != nil {
		t.Errorf("CreateAPIToken(another user, same name) = %v", err)
	}
	_, err = s.CreateAPIToken(ctx, store.APIToken{UserID: ana.ID, Name: " ", TokenHash: hash(4)})
	wantErr(t, "CreateAPIToken(no name)", err, store.ErrInvalid)

	got, err := s.APITokenByHash(ctx, hash(1))
	if err != nil || got.ID != tok.ID {
		t.Errorf("APITokenByHash = %+v, %v; want token %d", got, err, tok.ID)
	}
	clock.Advance(time.Minute)
	wantErr(t, "TouchAPIToken", s.TouchAPIToken(ctx, tok.ID), nil)
	if got, _ := s.APITokenByHash(ctx, hash(1)); !got.LastUsedAt.Equal(us(clock.Now())) {
		t.Errorf("after TouchAPIToken LastUsedAt = %v; want %v", got.LastUsedAt, clock.Now())
	}

	wantErr(t, "RevokeAPIToken(another user's)", s.RevokeAPIToken(ctx, bob.ID, tok.ID), store.ErrNotFound)
	wantErr(t, "RevokeAPIToken", s.RevokeAPIToken(ctx, ana.ID, tok.ID), nil)
	clock.Advance(time.Minute)
	wantErr(t, "RevokeAPIToken(again)", s.RevokeAPIToken(ctx, ana.ID, tok.ID), nil)
	_, err = s.APITokenByHash(ctx, hash(1))
	wantErr(t, "APITokenByHash(revoked)", err, store.ErrNotFound)
	wantErr(t, "TouchAPIToken(revoked)", s.TouchAPIToken(ctx, tok.ID), store.ErrNotFound)

	// The name is free again once revoked.
	again, err := s.CreateAPIToken(ctx, store.APIToken{UserID: ana.ID, Name: "ci", TokenHash: hash(5)})
	if err != nil {
		t.Fatalf("CreateAPIToken(name of a revoked token) = %v", err)
	}
	list, err := s.APITokens(ctx, ana.ID)
	if err != nil || len(list) != 2 || list[0].ID != again.ID || list[1].ID != tok.ID {
		t.Fatalf("APITokens(ana) = %+v, %v; want the new token then the revoked one", list, err)
	}
	if !list[1].RevokedAt.Equal(us(start.Add(time.Minute))) {
		t.Errorf("revoked token's RevokedAt = %v; want the first revocation, %v", list[1].RevokedAt, start.Add(time.Minute))
	}
	if !bytes.Equal(list[0].TokenHash, hash(5)) {
		t.Errorf("APITokens()[0].TokenHash = %x; want %x", list[0].TokenHash, hash(5))
	}
}

func testThrottles(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	const key = "account:ana@example.com"
	const window = 15 * time.Minute

	th, err := s.Throttle(ctx, key)
	if err != nil || th != (store.Throttle{Key: key}) {
		t.Errorf("Throttle(new key) = %+v, %v; want zero counts", th, err)
	}
	for i := 1; i <= 3; i++ {
		th, err := s.AddThrottleFailure(ctx, key, window)
		if err != nil || th.Failures != i || !th.WindowStart.Equal(us(start)) {
			t.Errorf("AddThrottleFailure #%d = %+v, %v; want %d failures since %v", i, th, err, i, start)
		}
		clock.Advance(time.Minute)
	}
	// A failure after the window starts a new count.
	clock.Advance(window)
	th, err = s.AddThrottleFailure(ctx, key, window)
	if err != nil || th.Failures != 1 || !th.WindowStart.Equal(us(clock.Now())) {
		t.Errorf("AddThrottleFailure after the window = %+v, %v; want 1 failure since now", th, err)
	}

	until := clock.Now().Add(10 * time.Minute)
	th, err = s.LockThrottle(ctx, key, until)
	if err != nil || !th.LockedUntil.Equal(us(until)) || th.Failures != 0 || !th.Locked(clock.Now()) {
		t.Errorf("LockThrottle = %+v, %v; want locked until %v with no failures", th, err, until)
	}
	// An earlier lock does not shorten a later one.
	th, err = s.LockThrottle(ctx, key, clock.Now().Add(time.Minute))
	if err != nil || !th.LockedUntil.Equal(us(until)) {
		t.Errorf("LockThrottle(earlier) = %+v, %v; want still locked until %v", th, err, until)
	}
	if got, _ := s.Throttle(ctx, key); !got.Locked(clock.Now()) {
		t.Errorf("Throttle after LockThrottle = %+v; want locked", got)
	}
	if got, _ := s.Throttle(ctx, "addr:192.0.2.1"); got.Failures != 0 || got.Locked(clock.Now()) {
		t.Errorf("another key = %+v; want untouched", got)
	}
	clock.Advance(10 * time.Minute)
	if got, _ := s.Throttle(ctx, key); got.Locked(clock.Now()) {
		t.Errorf("Throttle after the lock ended = %+v; want unlocked", got)
	}
	wantErr(t, "ResetThrottle", s.ResetThrottle(ctx, key), nil)
	if got, _ := s.Throttle(ctx, key); got != (store.Throttle{Key: key}) {
		t.Errorf("Throttle after ResetThrottle = %+v; want zero counts", got)
	}

	if _, err := s.AddThrottleFailure(ctx, "old", window); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockThrottle(ctx, "locked", clock.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Hour - time.Minute)
	n, err := s.DeleteStaleThrottles(ctx, clock.Now().Add(-window))
	if err != nil || n != 1 {
		t.Errorf("DeleteStaleThrottles = %d, %v; want 1 (the lapsed window, not the current lock)", n, err)
	}
	if got, _ := s.Throttle(ctx, "locked"); !got.Locked(clock.Now()) {
		t.Errorf("DeleteStaleThrottles removed a current lock: %+v", got)
	}
}

// testThrottleRace: concurrent failures are each counted; replicas rely on it.
func testThrottleRace(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	const n = 20
	errs := parallel(n, func(int) error {
		_, err := s.AddThrottleFailure(ctx, "addr:192.0.2.9", time.Hour)
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("AddThrottleFailure #%d = %v", i, err)
		}
	}
	if th, err := s.Throttle(ctx, "addr:192.0.2.9"); err != nil || th.Failures != n {
		t.Errorf("after %d concurrent failures Throttle = %+v, %v; want %d failures", n, th, err, n)
	}
}
