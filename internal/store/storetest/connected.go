package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/aliscout/aliscout/internal/store"
)

// account returns a connected account for user with AliExpress user id ae and tokens marked n.
func account(user int64, ae string, n int) store.ConnectedAccount {
	return store.ConnectedAccount{
		UserID: user, AEUserID: ae, Nick: "nick-" + ae, Email: ae + "@example.com",
		SealedAccess: fmt.Sprintf("k1:access-%d", n), SealedRefresh: fmt.Sprintf("k1:refresh-%d", n), KeyID: "k1",
		AccessExpiresAt: start.Add(24 * time.Hour), RefreshExpiresAt: start.Add(48 * time.Hour),
		StoreURL: "https://shop.example/" + ae, ReportState: store.ReportPending,
	}
}

func mustAccount(t *testing.T, s store.Store, a store.ConnectedAccount) store.ConnectedAccount {
	t.Helper()
	saved, err := s.SaveConnectedAccount(ctxFor(t), a)
	if err != nil {
		t.Fatalf("SaveConnectedAccount(%s): %v", a.AEUserID, err)
	}
	return saved
}

func testConnectedAccounts(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")

	first := mustAccount(t, s, account(ana.ID, "2001", 1))
	want := account(ana.ID, "2001", 1)
	want.ID, want.IsDefault, want.CreatedAt, want.UpdatedAt = first.ID, true, us(start), us(start)
	want.AccessExpiresAt, want.RefreshExpiresAt = us(want.AccessExpiresAt), us(want.RefreshExpiresAt)
	if diff := cmp.Diff(want, first); diff != "" {
		t.Errorf("SaveConnectedAccount returned (-want +got):\n%s", diff)
	}
	clock.Advance(time.Minute)
	second := mustAccount(t, s, account(ana.ID, "2002", 2))
	if second.IsDefault {
		t.Errorf("second account is the default; want the first to stay")
	}
	bobs := mustAccount(t, s, account(bob.ID, "2001", 3)) // the same AliExpress account, another user
	if !bobs.IsDefault || bobs.ID == first.ID {
		t.Errorf("bob's account = %+v; want a default account of its own", bobs)
	}

	got, err := s.ConnectedAccount(ctx, ana.ID, first.ID)
	if err != nil || !cmp.Equal(got, first) {
		t.Errorf("ConnectedAccount = %+v, %v; want %+v", got, err, first)
	}
	_, err = s.ConnectedAccount(ctx, bob.ID, first.ID)
	wantErr(t, "ConnectedAccount(another user's)", err, store.ErrNotFound)
	list, err := s.ConnectedAccounts(ctx, ana.ID)
	if err != nil || len(list) != 2 || list[0].ID != first.ID || list[1].ID != second.ID {
		t.Errorf("ConnectedAccounts = %+v, %v; want the default, then the other", list, err)
	}
	def, err := s.DefaultConnectedAccount(ctx, ana.ID)
	if err != nil || def.ID != first.ID {
		t.Errorf("DefaultConnectedAccount = %+v, %v; want %d", def, err, first.ID)
	}

	// Reconnecting the same AliExpress account replaces its tokens in place and forgets the
	// notices about the old ones.
	wantErr(t, "MarkConnectedAccountNeedsReconnect", s.MarkConnectedAccountNeedsReconnect(ctx, second.ID), nil)
	if ok, err := s.RecordExpiryNotice(ctx, second.ID, store.Notice7Days); !ok || err != nil {
		t.Fatalf("RecordExpiryNotice = %v, %v", ok, err)
	}
	clock.Advance(time.Minute)
	again := account(ana.ID, "2002", 4)
	again.RefreshExpiresAt = start.Add(96 * time.Hour)
	re := mustAccount(t, s, again)
	if re.ID != second.ID || re.SealedAccess != "k1:access-4" || re.NeedsReconnect || re.IsDefault ||
		!re.RefreshExpiresAt.Equal(us(start.Add(96*time.Hour))) || !re.CreatedAt.Equal(second.CreatedAt) ||
		!re.UpdatedAt.Equal(us(clock.Now())) {
		t.Errorf("reconnect = %+v; want account %d with the new tokens, not needing reconnect", re, second.ID)
	}
	if n, err := s.ExpiryNotices(ctx, ana.ID, second.ID); err != nil || len(n) != 0 {
		t.Errorf("ExpiryNotices after reconnect = %+v, %v; want none", n, err)
	}
	if list, _ := s.ConnectedAccounts(ctx, ana.ID); len(list) != 2 {
		t.Errorf("after reconnect ana has %d accounts; want 2", len(list))
	}

	// Default.
	wantErr(t, "SetDefaultConnectedAccount(another user's)", s.SetDefaultConnectedAccount(ctx, bob.ID, second.ID), store.ErrNotFound)
	wantErr(t, "SetDefaultConnectedAccount", s.SetDefaultConnectedAccount(ctx, ana.ID, second.ID), nil)
	if def, err := s.DefaultConnectedAccount(ctx, ana.ID); err != nil || def.ID != second.ID {
		t.Errorf("DefaultConnectedAccount after SetDefault = %+v, %v; want %d", def, err, second.ID)
	}
	if a, _ := s.ConnectedAccount(ctx, ana.ID, first.ID); a.IsDefault {
		t.Errorf("the old default is still marked default")
	}

	// Delete.
	wantErr(t, "DeleteConnectedAccount(another user's)", s.DeleteConnectedAccount(ctx, bob.ID, second.ID), store.ErrNotFound)
	wantErr(t, "DeleteConnectedAccount", s.DeleteConnectedAccount(ctx, ana.ID, second.ID), nil)
	_, err = s.ConnectedAccountByID(ctx, second.ID)
	wantErr(t, "ConnectedAccountByID(deleted)", err, store.ErrNotFound)
	if def, err := s.DefaultConnectedAccount(ctx, ana.ID); err != nil || def.ID != first.ID {
		t.Errorf("DefaultConnectedAccount after deleting the default = %+v, %v; want %d", def, err, first.ID)
	}
	wantErr(t, "DeleteConnectedAccount(last)", s.DeleteConnectedAccount(ctx, ana.ID, first.ID), nil)
	_, err = s.DefaultConnectedAccount(ctx, ana.ID)
	wantErr(t, "DefaultConnectedAccount(none)", err, store.ErrNotFound)

	// Checks.
	bad := account(ana.ID, "", 5)
	_, err = s.SaveConnectedAccount(ctx, bad)
	wantErr(t, "SaveConnectedAccount(no aliexpress user id)", err, store.ErrInvalid)
	bad = account(ana.ID, "2003", 5)
	bad.SealedRefresh = ""
	_, err = s.SaveConnectedAccount(ctx, bad)
	wantErr(t, "SaveConnectedAccount(unsealed)", err, store.ErrInvalid)
	_, err = s.SaveConnectedAccount(ctx, account(99999, "2003", 5))
	wantErr(t, "SaveConnectedAccount(no such user)", err, store.ErrNotFound)

	// Deleting the user deletes the accounts.
	wantErr(t, "DeleteUser", s.DeleteUser(ctx, bob.ID), nil)
	_, err = s.ConnectedAccountByID(ctx, bobs.ID)
	wantErr(t, "ConnectedAccountByID(deleted user's)", err, store.ErrNotFound)
}

// testFirstAccountsRace: two accounts saved at once for a user with none: exactly one is the default.
func testFirstAccountsRace(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	const n = 6
	errs := parallel(n, func(i int) error {
		_, err := s.SaveConnectedAccount(ctx, account(u.ID, fmt.Sprint(3000+i), i))
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("save %d: %v", i, err)
		}
	}
	list, err := s.ConnectedAccounts(ctx, u.ID)
	if err != nil || len(list) != n {
		t.Fatalf("ConnectedAccounts = %d, %v; want %d", len(list), err, n)
	}
	defaults := 0
	for _, a := range list {
		if a.IsDefault {
			defaults++
		}
	}
	if defaults != 1 {
		t.Errorf("%d default accounts; want 1", defaults)
	}
}

func testTokenRefreshRows(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	a := mustAccount(t, s, account(u.ID, "2001", 1))
	b := account(u.ID, "2002", 2)
	b.AccessExpiresAt = start.Add(2 * time.Hour)
	b = mustAccount(t, s, b)

	due, err := s.ConnectedAccountsAccessEndingBefore(ctx, start.Add(3*time.Hour), 10)
	if err != nil || len(due) != 1 || due[0].ID != b.ID {
		t.Errorf("ConnectedAccountsAccessEndingBefore(+3h) = %+v, %v; want account %d", due, err, b.ID)
	}
	due, err = s.ConnectedAccountsAccessEndingBefore(ctx, start.Add(25*time.Hour), 10)
	if err != nil || len(due) != 2 || due[0].ID != b.ID || due[1].ID != a.ID {
		t.Errorf("ConnectedAccountsAccessEndingBefore(+25h) = %+v, %v; want %d then %d", due, err, b.ID, a.ID)
	}

	// The lease: one holder at a time, until it ends.
	leased, err := s.LeaseConnectedAccountRefresh(ctx, a.ID, clock.Now().Add(time.Minute))
	if err != nil || leased.SealedRefresh != a.SealedRefresh || !leased.RefreshLeaseUntil.Equal(us(clock.Now().Add(time.Minute))) {
		t.Fatalf("LeaseConnectedAccountRefresh = %+v, %v", leased, err)
	}
	_, err = s.LeaseConnectedAccountRefresh(ctx, a.ID, clock.Now().Add(time.Minute))
	wantErr(t, "LeaseConnectedAccountRefresh(held)", err, store.ErrConflict)
	_, err = s.LeaseConnectedAccountRefresh(ctx, 99999, clock.Now().Add(time.Minute))
	wantErr(t, "LeaseConnectedAccountRefresh(unknown)", err, store.ErrNotFound)
	clock.Advance(time.Minute)
	if _, err := s.LeaseConnectedAccountRefresh(ctx, a.ID, clock.Now().Add(time.Minute)); err != nil {
		t.Errorf("LeaseConnectedAccountRefresh after the lease ended = %v", err)
	}
	upd := store.TokenUpdate{SealedAccess: "k1:access-9", SealedRefresh: "k1:refresh-9", KeyID: "k1",
		AccessExpiresAt: clock.Now().Add(24 * time.Hour), RefreshExpiresAt: a.RefreshExpiresAt}
	got, err := s.UpdateConnectedAccountTokens(ctx, a.ID, upd)
	if err != nil || got.SealedAccess != "k1:access-9" || got.SealedRefresh != "k1:refresh-9" ||
		!got.AccessExpiresAt.Equal(us(upd.AccessExpiresAt)) || !got.RefreshLeaseUntil.IsZero() {
		t.Errorf("UpdateConnectedAccountTokens = %+v, %v; want the new pair and no lease", got, err)
	}
	if _, err := s.LeaseConnectedAccountRefresh(ctx, a.ID, clock.Now().Add(time.Minute)); err != nil {
		t.Errorf("LeaseConnectedAccountRefresh after the update = %v; want the lease free", err)
	}
	wantErr(t, "ReleaseConnectedAccountRefresh", s.ReleaseConnectedAccountRefresh(ctx, a.ID), nil)

	// Concurrent leases: one wins.
	errs := parallel(8, func(int) error {
		_, err := s.LeaseConnectedAccountRefresh(ctx, b.ID, clock.Now().Add(time.Minute))
		return err
	})
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrConflict):
			t.Errorf("concurrent lease: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent leases won; want 1", won)
	}

	// A dead refresh token.
	wantErr(t, "MarkConnectedAccountNeedsReconnect", s.MarkConnectedAccountNeedsReconnect(ctx, b.ID), nil)
	if got, _ := s.ConnectedAccountByID(ctx, b.ID); !got.NeedsReconnect || !got.RefreshLeaseUntil.IsZero() {
		t.Errorf("after MarkConnectedAccountNeedsReconnect = %+v; want needs reconnect, no lease", got)
	}
	due, _ = s.ConnectedAccountsAccessEndingBefore(ctx, start.Add(100*time.Hour), 10)
	if len(due) != 1 || due[0].ID != a.ID {
		t.Errorf("ConnectedAccountsAccessEndingBefore = %+v; want only %d (the other needs reconnecting)", due, a.ID)
	}
	ending, err := s.ConnectedAccountsRefreshEndingBefore(ctx, start.Add(49*time.Hour), 10)
	if err != nil || len(ending) != 2 {
		t.Errorf("ConnectedAccountsRefreshEndingBefore = %+v, %v; want both", ending, err)
	}
	if _, err := s.RecordExpiryNotice(ctx, b.ID, store.NoticeEnded); err != nil {
		t.Fatal(err)
	}
	ending, err = s.ConnectedAccountsRefreshEndingBefore(ctx, start.Add(49*time.Hour), 10)
	if err != nil || len(ending) != 1 || ending[0].ID != a.ID {
		t.Errorf("ConnectedAccountsRefreshEndingBefore after the ended notice = %+v, %v; want only %d", ending, err, a.ID)
	}

	// Resealing: only over the tokens it read.
	wantErr(t, "ResealConnectedAccount(stale)", s.ResealConnectedAccount(ctx, a.ID, "k1:refresh-1", "k2:a", "k2:r", "k2"), store.ErrConflict)
	wantErr(t, "ResealConnectedAccount", s.ResealConnectedAccount(ctx, a.ID, "k1:refresh-9", "k2:a", "k2:r", "k2"), nil)
	ids, err := s.ConnectedAccountKeyIDs(ctx)
	if err != nil || !cmp.Equal(ids, []string{"k1", "k2"}) {
		t.Errorf("ConnectedAccountKeyIDs = %v, %v; want [k1 k2]", ids, err)
	}
	page, err := s.ConnectedAccountsPage(ctx, a.ID, 10)
	if err != nil || len(page) != 1 || page[0].ID != b.ID {
		t.Errorf("ConnectedAccountsPage(after %d) = %+v, %v; want %d", a.ID, page, err, b.ID)
	}

	// Reports.
	clock.Advance(time.Minute)
	wantErr(t, "SetConnectedAccountReport", s.SetConnectedAccountReport(ctx, a.ID, store.ReportFailed, "store_url refused"), nil)
	got, _ = s.ConnectedAccountByID(ctx, a.ID)
	if got.ReportState != store.ReportFailed || got.ReportMessage != "store_url refused" || !got.ReportedAt.Equal(us(clock.Now())) {
		t.Errorf("after SetConnectedAccountReport = %+v", got)
	}
	wantErr(t, "SetConnectedAccountReport(bad state)", s.SetConnectedAccountReport(ctx, a.ID, "lost", ""), store.ErrInvalid)
	pending, err := s.ConnectedAccountsByReportState(ctx, store.ReportPending, 10)
	if err != nil || len(pending) != 1 || pending[0].ID != b.ID {
		t.Errorf("ConnectedAccountsByReportState(pending) = %+v, %v; want %d", pending, err, b.ID)
	}
}

func testExpiryNotices(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	other := mustUser(t, s, "bob@example.com")
	a := mustAccount(t, s, account(u.ID, "2001", 1))

	// Replicas recording the same notice at once: one records it.
	errs := make([]error, 8)
	recorded := make([]bool, 8)
	parallel(8, func(i int) error {
		recorded[i], errs[i] = s.RecordExpiryNotice(ctx, a.ID, store.Notice7Days)
		return nil
	})
	n := 0
	for i := range errs {
		if errs[i] != nil {
			t.Errorf("RecordExpiryNotice: %v", errs[i])
		}
		if recorded[i] {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of 8 concurrent RecordExpiryNotice recorded it; want 1", n)
	}
	if ok, err := s.RecordExpiryNotice(ctx, a.ID, store.Notice1Day); !ok || err != nil {
		t.Errorf("RecordExpiryNotice(1d) = %v, %v; want recorded", ok, err)
	}
	_, err := s.RecordExpiryNotice(ctx, a.ID, "2d")
	wantErr(t, "RecordExpiryNotice(bad threshold)", err, store.ErrInvalid)
	_, err = s.RecordExpiryNotice(ctx, 99999, store.NoticeEnded)
	wantErr(t, "RecordExpiryNotice(unknown account)", err, store.ErrNotFound)

	got, err := s.ExpiryNotices(ctx, u.ID, a.ID)
	if err != nil || len(got) != 2 || got[0].Threshold != store.Notice1Day && got[0].Threshold != store.Notice7Days {
		t.Errorf("ExpiryNotices = %+v, %v; want 7d and 1d", got, err)
	}
	if got, err := s.ExpiryNotices(ctx, other.ID, a.ID); err != nil || len(got) != 0 {
		t.Errorf("ExpiryNotices(another user's account) = %+v, %v; want none", got, err)
	}
}

func testOutbox(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	var ids []int64
	for i := range 3 {
		clock.Advance(time.Second)
		e, err := s.EnqueueEmail(ctx, store.Email{To: fmt.Sprintf("u%d@example.com", i), Subject: "Reconnect", Body: "body"})
		if err != nil {
			t.Fatal(err)
		}
		if e.ID == 0 || e.Attempts != 0 || !e.SentAt.IsZero() || !e.NextAttemptAt.Equal(us(clock.Now())) {
			t.Errorf("EnqueueEmail = %+v", e)
		}
		ids = append(ids, e.ID)
	}
	_, err := s.EnqueueEmail(ctx, store.Email{To: "a@example.com\r\nBcc: x@example.com", Subject: "s"})
	wantErr(t, "EnqueueEmail(header injection in To)", err, store.ErrInvalid)
	_, err = s.EnqueueEmail(ctx, store.Email{To: "a@example.com", Subject: "s\r\nBcc: x@example.com"})
	wantErr(t, "EnqueueEmail(header injection in Subject)", err, store.ErrInvalid)

	claimed, err := s.ClaimEmails(ctx, 2, time.Minute)
	if err != nil || len(claimed) != 2 || claimed[0].ID != ids[0] || claimed[1].ID != ids[1] {
		t.Fatalf("ClaimEmails(2) = %+v, %v; want the two oldest", claimed, err)
	}
	rest, err := s.ClaimEmails(ctx, 10, time.Minute)
	if err != nil || len(rest) != 1 || rest[0].ID != ids[2] {
		t.Fatalf("second ClaimEmails = %+v, %v; want only the third", rest, err)
	}
	if none, err := s.ClaimEmails(ctx, 10, time.Minute); err != nil || len(none) != 0 {
		t.Errorf("ClaimEmails while all are held = %+v, %v; want none", none, err)
	}
	wantErr(t, "MarkEmailSent", s.MarkEmailSent(ctx, ids[0]), nil)
	wantErr(t, "MarkEmailSent(twice)", s.MarkEmailSent(ctx, ids[0]), store.ErrNotFound)
	wantErr(t, "MarkEmailFailed", s.MarkEmailFailed(ctx, ids[1], "dial tcp: connection refused", clock.Now().Add(10*time.Minute)), nil)

	// The third's lease ends: it is claimable again; the second waits for its retry time.
	clock.Advance(2 * time.Minute)
	again, err := s.ClaimEmails(ctx, 10, time.Minute)
	if err != nil || len(again) != 1 || again[0].ID != ids[2] {
		t.Errorf("ClaimEmails after the lease = %+v, %v; want the third", again, err)
	}
	clock.Advance(10 * time.Minute)
	retry, err := s.ClaimEmails(ctx, 10, time.Minute)
	if err != nil || len(retry) != 2 {
		t.Errorf("ClaimEmails after the retry time = %+v, %v; want the failed one and the third", retry, err)
	}
	for _, e := range retry {
		if e.ID == ids[1] && (e.Attempts != 1 || e.LastError != "dial tcp: connection refused") {
			t.Errorf("the failed message = %+v; want its attempt and error kept", e)
		}
	}
	all, err := s.Emails(ctx, 10)
	if err != nil || len(all) != 3 || all[2].ID != ids[0] || all[2].SentAt.IsZero() {
		t.Errorf("Emails = %+v, %v; want three, the oldest sent", all, err)
	}

	// Concurrent senders claim disjoint messages.
	for i := range 10 {
		if _, err := s.EnqueueEmail(ctx, store.Email{To: fmt.Sprintf("c%d@example.com", i), Subject: "s", Body: "b"}); err != nil {
			t.Fatal(err)
		}
	}
	clock.Advance(time.Hour)
	seen := make(map[int64]int)
	results := make([][]store.Email, 4)
	errs := parallel(4, func(i int) error {
		var err error
		results[i], err = s.ClaimEmails(ctx, 5, time.Minute)
		return err
	})
	total := 0
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent ClaimEmails: %v", err)
		}
		for _, e := range results[i] {
			seen[e.ID]++
			total++
		}
	}
	if total != 12 || len(seen) != 12 {
		t.Errorf("concurrent claims got %d messages, %d distinct; want 12 once each", total, len(seen))
	}
}

func testOAuthStates(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	other := mustUser(t, s, "bob@example.com")
	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	otherSess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(2), UserID: other.ID, IdleTimeout: time.Hour, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.CreateOAuthState(ctx, store.OAuthState{Hash: hash(10), UserID: u.ID, SessionID: sess.ID,
		StoreURL: "https://shop.example", ExpiresAt: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	want := store.OAuthState{ID: st.ID, Hash: hash(10), UserID: u.ID, SessionID: sess.ID, StoreURL: "https://shop.example",
		CreatedAt: us(start), ExpiresAt: us(start.Add(10 * time.Minute))}
	if diff := cmp.Diff(want, st); diff != "" {
		t.Errorf("CreateOAuthState returned (-want +got):\n%s", diff)
	}
	_, err = s.CreateOAuthState(ctx, store.OAuthState{Hash: hash(11), UserID: u.ID, SessionID: otherSess.ID, ExpiresAt: start.Add(time.Minute)})
	wantErr(t, "CreateOAuthState(another user's session)", err, store.ErrNotFound)

	_, err = s.UseOAuthState(ctx, hash(10), other.ID, otherSess.ID)
	wantErr(t, "UseOAuthState(another user)", err, store.ErrNotFound)
	_, err = s.UseOAuthState(ctx, hash(10), u.ID, sess.ID+1000)
	wantErr(t, "UseOAuthState(another session)", err, store.ErrNotFound)
	_, err = s.UseOAuthState(ctx, hash(99), u.ID, sess.ID)
	wantErr(t, "UseOAuthState(unknown)", err, store.ErrNotFound)

	// Two callbacks with the same state: one wins.
	var won int
	for _, err := range parallel(6, func(int) error { _, err := s.UseOAuthState(ctx, hash(10), u.ID, sess.ID); return err }) {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrNotFound):
			t.Errorf("concurrent UseOAuthState: %v", err)
		}
	}
	if won != 1 {
		t.Errorf("%d concurrent uses of one state succeeded; want 1", won)
	}

	expiring, err := s.CreateOAuthState(ctx, store.OAuthState{Hash: hash(12), UserID: u.ID, SessionID: sess.ID, ExpiresAt: start.Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	_, err = s.UseOAuthState(ctx, expiring.Hash, u.ID, sess.ID)
	wantErr(t, "UseOAuthState(expired)", err, store.ErrNotFound)
	if n, err := s.DeleteExpiredOAuthStates(ctx); err != nil || n != 2 {
		t.Errorf("DeleteExpiredOAuthStates = %d, %v; want 2 (one used, one expired)", n, err)
	}

	// Signing out ends the session's states.
	live, err := s.CreateOAuthState(ctx, store.OAuthState{Hash: hash(13), UserID: u.ID, SessionID: sess.ID, ExpiresAt: clock.Now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	wantErr(t, "DeleteSession", s.DeleteSession(ctx, u.ID, sess.ID), nil)
	_, err = s.UseOAuthState(ctx, live.Hash, u.ID, sess.ID)
	wantErr(t, "UseOAuthState(after sign-out)", err, store.ErrNotFound)
}

// testOAuthStatesWithoutSession: a state made with an API token (no session) is the user's: any
// of their sessions may use it, once; another user's may not.
func testOAuthStatesWithoutSession(t *testing.T, open Opener) {
	s, _ := openClock(t, open)
	ctx := ctxFor(t)
	u := mustUser(t, s, "ana@example.com")
	other := mustUser(t, s, "bob@example.com")
	sess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(1), UserID: u.ID, IdleTimeout: time.Hour, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	otherSess, err := s.CreateSession(ctx, store.NewSession{TokenHash: hash(2), UserID: other.ID, IdleTimeout: time.Hour, MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.CreateOAuthState(ctx, store.OAuthState{Hash: hash(20), UserID: u.ID, ExpiresAt: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatalf("CreateOAuthState(no session): %v", err)
	}
	if st.SessionID != 0 || st.UserID != u.ID {
		t.Errorf("CreateOAuthState(no session) = %+v; want user %d and session 0", st, u.ID)
	}
	_, err = s.CreateOAuthState(ctx, store.OAuthState{Hash: hash(21), UserID: 99999, ExpiresAt: start.Add(time.Minute)})
	wantErr(t, "CreateOAuthState(no such user)", err, store.ErrNotFound)

	_, err = s.UseOAuthState(ctx, hash(20), other.ID, otherSess.ID)
	wantErr(t, "UseOAuthState(another user)", err, store.ErrNotFound)
	used, err := s.UseOAuthState(ctx, hash(20), u.ID, sess.ID)
	if err != nil || used.ID != st.ID {
		t.Errorf("UseOAuthState(any session of the user) = %+v, %v; want state %d", used, err, st.ID)
	}
	_, err = s.UseOAuthState(ctx, hash(20), u.ID, sess.ID)
	wantErr(t, "UseOAuthState(again)", err, store.ErrNotFound)
}

// testStoreURL: changing an account's store URL makes its report pending again (none without a
// URL) and forgets the last report's message; another user's account is not found.
func testStoreURL(t *testing.T, open Opener) {
	s, clock := openClock(t, open)
	ctx := ctxFor(t)
	ana := mustUser(t, s, "ana@example.com")
	bob := mustUser(t, s, "bob@example.com")
	a := mustAccount(t, s, account(ana.ID, "2001", 1))
	wantErr(t, "SetConnectedAccountReport", s.SetConnectedAccountReport(ctx, a.ID, store.ReportFailed, "bad url"), nil)
	clock.Advance(time.Minute)

	got, err := s.SetConnectedAccountStoreURL(ctx, ana.ID, a.ID, "https://new.example")
	if err != nil {
		t.Fatal(err)
	}
	if got.StoreURL != "https://new.example" || got.ReportState != store.ReportPending || got.ReportMessage != "" ||
		!got.UpdatedAt.Equal(us(clock.Now())) || got.SealedAccess != a.SealedAccess {
		t.Errorf("SetConnectedAccountStoreURL = %+v; want the new URL, pending, no message, the same tokens", got)
	}
	got, err = s.SetConnectedAccountStoreURL(ctx, ana.ID, a.ID, "")
	if err != nil || got.StoreURL != "" || got.ReportState != store.ReportNone {
		t.Errorf("SetConnectedAccountStoreURL(\"\") = %+v, %v; want no URL, report none", got, err)
	}
	_, err = s.SetConnectedAccountStoreURL(ctx, bob.ID, a.ID, "https://evil.example")
	wantErr(t, "SetConnectedAccountStoreURL(another user's)", err, store.ErrNotFound)
	if a2, _ := s.ConnectedAccountByID(ctx, a.ID); a2.StoreURL != "" {
		t.Errorf("after another user's try the store URL is %q; want it unchanged", a2.StoreURL)
	}
}
