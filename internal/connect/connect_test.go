package connect_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/connect"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/storetest"
	"github.com/aliscout/aliscout/internal/vault"
)

func TestConnectFlow(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	jobs := &jobsRecorder{}
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Jobs: jobs, Now: clock.Now})
	ctx := t.Context()
	ana, anaSess := mustUser(t, st, "ana@example.com")
	bob, bobSess := mustUser(t, st, "bob@example.com")

	if _, err := svc.Begin(ctx, ana.ID, anaSess.ID, "ftp://shop.example"); !errors.Is(err, connect.ErrInvalidStoreURL) {
		t.Errorf("Begin(ftp store URL) = %v; want ErrInvalidStoreURL", err)
	}
	authURL, err := svc.Begin(ctx, ana.ID, anaSess.ID, "https://shop.example")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	if !strings.HasPrefix(authURL, gw.URL+"/oauth/authorize?") || u.Query().Get("client_id") != sandbox.DefaultAppKey ||
		u.Query().Get("redirect_uri") != "https://aliscout.example/connect/callback" || len(u.Query().Get("state")) < 40 {
		t.Fatalf("Begin = %s; want the gateway's authorize page with the callback and a state", authURL)
	}
	state := u.Query().Get("state")
	code := gw.AuthorizeCode(svc.CallbackURL())

	// The state is refused for anyone else, and when missing.
	for _, tc := range []struct {
		name          string
		user, session int64
		state         string
	}{
		{"another user", bob.ID, bobSess.ID, state},
		{"another session", ana.ID, bobSess.ID, state},
		{"no state", ana.ID, anaSess.ID, ""},
		{"unknown state", ana.ID, anaSess.ID, state + "x"},
	} {
		if _, err := svc.Complete(ctx, tc.user, tc.session, code, tc.state); !errors.Is(err, connect.ErrStateInvalid) {
			t.Errorf("Complete(%s) = %v; want ErrStateInvalid", tc.name, err)
		}
	}
	a, err := svc.Complete(ctx, ana.ID, anaSess.ID, code, state)
	if err != nil {
		t.Fatal(err)
	}
	if a.Nick != sandbox.DefaultUserNick || a.AEUserID == "" || !a.IsDefault || a.StoreURL != "https://shop.example" ||
		a.ReportState != store.ReportPending || !a.AccessExpiresAt.Equal(t0.Add(30*24*time.Hour)) ||
		!a.RefreshExpiresAt.Equal(t0.Add(60*24*time.Hour)) || a.Email == "" {
		t.Errorf("Complete = %+v; want the sandbox buyer, default, report pending, lifetimes of the token answer", a)
	}
	if len(jobs.report) != 1 || jobs.report[0] != a.ID {
		t.Errorf("report jobs queued = %v; want [%d]", jobs.report, a.ID)
	}
	// The state works once.
	if _, err := svc.Complete(ctx, ana.ID, anaSess.ID, code, state); !errors.Is(err, connect.ErrStateInvalid) {
		t.Errorf("Complete(reused state) = %v; want ErrStateInvalid", err)
	}
	// A code works once: with a fresh state the platform refuses the spent code.
	authURL2, _ := svc.Begin(ctx, ana.ID, anaSess.ID, "")
	if _, err := svc.Complete(ctx, ana.ID, anaSess.ID, code, stateOf(t, authURL2)); !errors.Is(err, connect.ErrCodeRefused) {
		t.Errorf("Complete(spent code) = %v; want ErrCodeRefused", err)
	}
	// An expired state is refused.
	authURL3, _ := svc.Begin(ctx, ana.ID, anaSess.ID, "")
	clock.Advance(16 * time.Minute)
	if _, err := svc.Complete(ctx, ana.ID, anaSess.ID, gw.AuthorizeCode(svc.CallbackURL()), stateOf(t, authURL3)); !errors.Is(err, connect.ErrStateInvalid) {
		t.Errorf("Complete(expired state) = %v; want ErrStateInvalid", err)
	}

	// Reconnecting the same AliExpress account replaces its tokens, keeps the store URL.
	tok1, _, err := svc.AccessToken(ctx, ana.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	again := connectAccount(t, svc, gw, ana, anaSess, sandbox.DefaultUserNick, "")
	tok2, _, err := svc.AccessToken(ctx, ana.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != a.ID || tok1 == tok2 || again.StoreURL != "https://shop.example" {
		t.Errorf("reconnect = %+v (token changed: %v); want account %d with new tokens and the store URL kept", again, tok1 != tok2, a.ID)
	}
	second := connectAccount(t, svc, gw, ana, anaSess, "us1000000002sbox", "")
	if second.IsDefault || second.ID == a.ID || second.ReportState != store.ReportNone {
		t.Errorf("second account = %+v; want a new, non-default account with nothing to report", second)
	}

	list, err := svc.List(ctx, ana.ID)
	if err != nil || len(list) != 2 || list[0].ID != a.ID {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if err := svc.SetDefault(ctx, bob.ID, second.ID); !errors.Is(err, connect.ErrNotConnected) {
		t.Errorf("SetDefault(another user's account) = %v; want ErrNotConnected", err)
	}
	if err := svc.SetDefault(ctx, ana.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if _, acct, err := svc.AccessToken(ctx, ana.ID, 0); err != nil || acct.ID != second.ID {
		t.Errorf("AccessToken(default) = %+v, %v; want account %d", acct, err, second.ID)
	}
	if _, _, err := svc.AccessToken(ctx, bob.ID, a.ID); !errors.Is(err, connect.ErrNotConnected) {
		t.Errorf("AccessToken(another user's account) = %v; want ErrNotConnected", err)
	}
	if err := svc.Disconnect(ctx, bob.ID, a.ID); !errors.Is(err, connect.ErrNotConnected) {
		t.Errorf("Disconnect(another user's account) = %v; want ErrNotConnected", err)
	}
	if err := svc.Disconnect(ctx, ana.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if _, acct, err := svc.AccessToken(ctx, ana.ID, 0); err != nil || acct.ID != a.ID {
		t.Errorf("after disconnecting the default, AccessToken = %+v, %v; want the other account", acct, err)
	}
}

// TestNoTokenInClear: neither the database file nor its rows hold a token in clear, and the
// service's values and errors never carry one.
func TestNoTokenInClear(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, path := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, sess := mustUser(t, st, "ana@example.com")
	connectAccount(t, svc, gw, ana, sess, "us1000000009sbox", "https://shop.example")
	// A refresh writes a second pair.
	clock.Advance(30 * 24 * time.Hour)
	access, acct, err := svc.AccessToken(ctx, ana.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.ConnectedAccount(ctx, ana.ID, acct.ID)
	if err != nil {
		t.Fatal(err)
	}
	v := testVault(t, 1)
	refresh, err := v.Open(a.SealedRefresh)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(access, "50000") || !strings.HasPrefix(refresh, "50001") {
		t.Fatalf("tokens = %q, %q; want the sandbox's", access[:5], refresh[:5])
	}
	if err := st.Close(); err != nil { // the WAL is folded in, but look at every file anyway
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range []string{access, refresh} {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("%s holds a token in clear", name)
			}
		}
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var sa, sr string
	if err := raw.QueryRow(`SELECT sealed_access, sealed_refresh FROM connected_accounts`).Scan(&sa, &sr); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(sa+sr, access) || strings.Contains(sa+sr, refresh) || vault.KeyOf(sa) != v.SealingKeyID() {
		t.Errorf("row = %q, %q; want sealed values under key %s", sa, sr, v.SealingKeyID())
	}
}

// TestRotation: after a new key is put first, Rotate reseals every account with it; the old key
// can then be dropped and every account still works; a vault without the key fails at start with
// a message that names it.
func TestRotation(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	client := newClient(t, gw, clock)
	ctx := t.Context()
	old := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: client, Now: clock.Now})
	ana, sess := mustUser(t, st, "ana@example.com")
	bob, bobSess := mustUser(t, st, "bob@example.com")
	connectAccount(t, old, gw, ana, sess, "us1000000011sbox", "")
	connectAccount(t, old, gw, bob, bobSess, "us1000000012sbox", "")

	rotating := newService(t, connect.Config{Store: st, Vault: testVault(t, 2, 1), Client: client, Now: clock.Now})
	if err := rotating.CheckKeys(ctx); err != nil {
		t.Fatalf("CheckKeys(new, old) = %v", err)
	}
	n, err := rotating.Rotate(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Rotate = %d, %v; want 2", n, err)
	}
	if n, err := rotating.Rotate(ctx); err != nil || n != 0 {
		t.Errorf("second Rotate = %d, %v; want nothing to do", n, err)
	}
	newOnly := newService(t, connect.Config{Store: st, Vault: testVault(t, 2), Client: client, Now: clock.Now})
	if err := newOnly.CheckKeys(ctx); err != nil {
		t.Fatalf("CheckKeys(new only) after Rotate = %v", err)
	}
	for _, u := range []store.User{ana, bob} {
		err := newOnly.Do(ctx, u.ID, 0, func(ctx context.Context, c *aliexpress.Client) error {
			_, _, err := c.DS.MemberBenefits(ctx)
			return err
		})
		if err != nil {
			t.Errorf("a DS call for %s after rotation: %v", u.Email, err)
		}
	}

	wrong := newService(t, connect.Config{Store: st, Vault: testVault(t, 3), Client: client, Now: clock.Now})
	err = wrong.CheckKeys(ctx)
	want := "the tokens in the database were sealed with key " + vault.KeyID(bytes.Repeat([]byte{2}, 32)) +
		", which ALISCOUT_SECRET_KEY does not hold"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckKeys(wrong key) = %v; want %q", err, want)
	}
	if _, _, err := wrong.AccessToken(ctx, ana.ID, 0); !errors.Is(err, vault.ErrUnknownKey) {
		t.Errorf("AccessToken(wrong key) = %v; want vault.ErrUnknownKey", err)
	}
}

// TestRefreshOnce: many callers finding the access token ended at once cause one refresh, and
// all get the new token.
func TestRefreshOnce(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, sess := mustUser(t, st, "ana@example.com")
	connectAccount(t, svc, gw, ana, sess, "us1000000021sbox", "")
	before, _, _ := svc.AccessToken(ctx, ana.ID, 0)
	clock.Advance(30 * 24 * time.Hour) // the access token has ended
	const n = 12
	toks := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { toks[i], _, errs[i] = svc.AccessToken(ctx, ana.ID, 0) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil || toks[i] != toks[0] || toks[i] == before {
			t.Errorf("caller %d: token changed %v, same as the others %v, %v", i, toks[i] != before, toks[i] == toks[0], errs[i])
		}
	}
	if got := gw.CallCount("/auth/token/refresh"); got != 1 {
		t.Errorf("%d refresh calls; want 1", got)
	}
	a, _ := st.DefaultConnectedAccount(ctx, ana.ID)
	if !a.AccessExpiresAt.Equal(clock.Now().Add(30*24*time.Hour)) || !a.RefreshExpiresAt.Equal(t0.Add(60*24*time.Hour)) {
		t.Errorf("after the refresh: access ends %v, refresh ends %v; want now+30d and the refresh end unmoved", a.AccessExpiresAt, a.RefreshExpiresAt)
	}
}

// TestDoRefreshesRefusedToken: a DS call refused for its token is retried once after one refresh.
func TestDoRefreshesRefusedToken(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, sess := mustUser(t, st, "ana@example.com")
	connectAccount(t, svc, gw, ana, sess, "us1000000031sbox", "")
	calls := 0
	err := svc.Do(ctx, ana.ID, 0, func(ctx context.Context, c *aliexpress.Client) error {
		calls++
		if calls == 1 {
			// As the platform answers for a token it no longer takes.
			return &aliexpress.Error{Method: "aliexpress.ds.member.benefit.get", Kind: aliexpress.ErrInvalidToken, Code: "IllegalAccessToken"}
		}
		_, _, err := c.DS.MemberBenefits(ctx)
		return err
	})
	if err != nil || calls != 2 {
		t.Errorf("Do = %v after %d calls; want success on the second", err, calls)
	}
	if got := gw.CallCount("/auth/token/refresh"); got != 1 {
		t.Errorf("%d refresh calls; want 1", got)
	}
	// Refused every time: one refresh more, one retry, then the error.
	calls = 0
	err = svc.Do(ctx, ana.ID, 0, func(ctx context.Context, c *aliexpress.Client) error {
		calls++
		return &aliexpress.Error{Kind: aliexpress.ErrInvalidToken}
	})
	if !errors.Is(err, aliexpress.ErrInvalidToken) || calls != 2 || gw.CallCount("/auth/token/refresh") != 2 {
		t.Errorf("Do(always refused) = %v after %d calls and %d refreshes; want the error after 2 calls, 2 refreshes",
			err, calls, gw.CallCount("/auth/token/refresh"))
	}
}

// TestApprovePage: the flow as a browser makes it, through the simulator's authorization page:
// the page sends the browser back to the callback with the code and the state, which Complete
// takes.
func TestApprovePage(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, sess := mustUser(t, st, "ana@example.com")
	authURL, err := svc.Begin(ctx, ana.ID, sess.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("action", "approve")
	form.Set("user_nick", "us1000000061sbox")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(gw.URL+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || !strings.HasPrefix(back.String(), svc.CallbackURL()+"?") {
		t.Fatalf("approve = %d to %q; want a redirect to the callback", resp.StatusCode, resp.Header.Get("Location"))
	}
	a, err := svc.Complete(ctx, ana.ID, sess.ID, back.Query().Get("code"), back.Query().Get("state"))
	if err != nil || a.Nick != "us1000000061sbox" {
		t.Errorf("Complete(from the callback) = %+v, %v; want the account approved on the page", a, err)
	}
}

// TestBeginWithAPIToken: a script with an API token has no session; the state it gets is its
// user's, which any session of that user may complete, and no other user.
func TestBeginWithAPIToken(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, anaSess := mustUser(t, st, "ana@example.com")
	bob, bobSess := mustUser(t, st, "bob@example.com")
	authURL, err := svc.Begin(ctx, ana.ID, 0, "")
	if err != nil {
		t.Fatal(err)
	}
	state := stateOf(t, authURL)
	if _, err := svc.Complete(ctx, bob.ID, bobSess.ID, gw.AuthorizeCode(svc.CallbackURL()), state); !errors.Is(err, connect.ErrStateInvalid) {
		t.Errorf("Complete(another user) = %v; want ErrStateInvalid", err)
	}
	if _, err := svc.Complete(ctx, ana.ID, anaSess.ID, gw.AuthorizeCode(svc.CallbackURL()), state); err != nil {
		t.Errorf("Complete(a session of the token's user) = %v; want the account connected", err)
	}
}

// TestSetStoreURL: a new store URL is reported anew; an empty one reports nothing; a bad one and
// another user's account are refused.
func TestSetStoreURL(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	jobs := &jobsRecorder{}
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Jobs: jobs, Now: clock.Now})
	ctx := t.Context()
	ana, sess := mustUser(t, st, "ana@example.com")
	bob, _ := mustUser(t, st, "bob@example.com")
	a := connectAccount(t, svc, gw, ana, sess, sandbox.DefaultUserNick, "")
	if len(jobs.report) != 0 {
		t.Fatalf("report jobs after connecting without a store = %v; want none", jobs.report)
	}
	got, err := svc.SetStoreURL(ctx, ana.ID, a.ID, " https://shop.example ")
	if err != nil || got.StoreURL != "https://shop.example" || got.ReportState != store.ReportPending {
		t.Errorf("SetStoreURL = %+v, %v; want the URL, report pending", got, err)
	}
	if len(jobs.report) != 1 || jobs.report[0] != a.ID {
		t.Errorf("report jobs = %v; want [%d]", jobs.report, a.ID)
	}
	if _, err := svc.SetStoreURL(ctx, ana.ID, a.ID, "javascript:alert(1)"); !errors.Is(err, connect.ErrInvalidStoreURL) {
		t.Errorf("SetStoreURL(javascript:) = %v; want ErrInvalidStoreURL", err)
	}
	if _, err := svc.SetStoreURL(ctx, bob.ID, a.ID, "https://evil.example"); !errors.Is(err, connect.ErrNotConnected) {
		t.Errorf("SetStoreURL(another user's account) = %v; want ErrNotConnected", err)
	}
	if got, err := svc.SetStoreURL(ctx, ana.ID, a.ID, ""); err != nil || got.ReportState != store.ReportNone || len(jobs.report) != 1 {
		t.Errorf("SetStoreURL(\"\") = %+v, %v (jobs %v); want report none and no new job", got, err, jobs.report)
	}
}

// TestRenew: after a refusal the caller gets a new token, and a second caller with the same
// refused token gets that one too, without a second refresh.
func TestRenew(t *testing.T) {
	clock := storetest.NewClock(t0)
	gw := newGateway(t, clock)
	st, _ := openSQLite(t, clock)
	svc := newService(t, connect.Config{Store: st, Vault: testVault(t, 1), Client: newClient(t, gw, clock), Now: clock.Now})
	ctx := t.Context()
	ana, sess := mustUser(t, st, "ana@example.com")
	bob, _ := mustUser(t, st, "bob@example.com")
	a := connectAccount(t, svc, gw, ana, sess, "us1000000041sbox", "")
	old, _, err := svc.AccessToken(ctx, ana.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	fresh, acct, err := svc.Renew(ctx, ana.ID, a.ID, old)
	if err != nil || fresh == old || fresh == "" || acct.ID != a.ID {
		t.Fatalf("Renew = (new token: %v), %+v, %v; want a new token of account %d", fresh != old, acct, err, a.ID)
	}
	again, _, err := svc.Renew(ctx, ana.ID, a.ID, old)
	if err != nil || again != fresh || gw.CallCount("/auth/token/refresh") != 1 {
		t.Errorf("second Renew with the same refused token: same token %v, %v, %d refreshes; want the same token, 1 refresh",
			again == fresh, err, gw.CallCount("/auth/token/refresh"))
	}
	if _, _, err := svc.Renew(ctx, bob.ID, a.ID, old); !errors.Is(err, connect.ErrNotConnected) {
		t.Errorf("Renew(another user's account) = %v; want ErrNotConnected", err)
	}
}
