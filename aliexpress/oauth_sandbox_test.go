package aliexpress_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
)

// TestSandboxOAuthFlow follows a user from the authorization page to an expired token.
func TestSandboxOAuthFlow(t *testing.T) {
	const callback = "https://app.example/aliexpress/callback"
	clock := &sbClock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	srv := sandbox.NewServer(sandbox.Options{Now: clock.Now, CallbackURL: callback})
	t.Cleanup(srv.Close)
	app := sbClient(t, srv, clock)
	ctx := context.Background()

	// The browser part: the page AuthorizeURL leads to accepts it, and approving redirects back
	// with a code and the state.
	authURL := app.OAuth.AuthorizeURL(callback, "csrf-123")
	if strings.Contains(authURL, sandbox.DefaultAppSecret) {
		t.Fatalf("AuthorizeURL carries the secret: %s", authURL)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	page, err := browser.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %d; want the authorization page", authURL, page.StatusCode)
	}
	u, _ := url.Parse(authURL)
	form := u.Query()
	form.Set("action", "approve")
	approved, err := browser.PostForm(srv.URL+"/oauth/authorize", form)
	if err != nil {
		t.Fatal(err)
	}
	approved.Body.Close()
	back, err := url.Parse(approved.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(back.String(), callback) || back.Query().Get("code") == "" || back.Query().Get("state") != "csrf-123" {
		t.Fatalf("approval redirected to %q; want %s with a code and the state", approved.Header.Get("Location"), callback)
	}

	tok, _, err := app.OAuth.CreateToken(ctx, back.Query().Get("code"))
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.UserNick != sandbox.DefaultUserNick || tok.UserID == "" {
		t.Errorf("Token = %v; want both tokens for %s", tok, sandbox.DefaultUserNick)
	}
	// A test app's tokens: access one day, refresh two.
	if want := clock.Now().Add(24 * time.Hour); !tok.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v; want %v", tok.ExpiresAt, want)
	}
	if want := clock.Now().Add(48 * time.Hour); !tok.RefreshExpiresAt.Equal(want) {
		t.Errorf("RefreshExpiresAt = %v; want %v", tok.RefreshExpiresAt, want)
	}
	if _, _, err := app.OAuth.CreateToken(ctx, back.Query().Get("code")); !errors.Is(err, aliexpress.ErrInvalidCode) {
		t.Errorf("CreateToken with a used code: err = %v; want ErrInvalidCode", err)
	}
	if n := srv.CallCount("/auth/token/create"); n != 2 {
		t.Errorf("%d token calls; want 2 (a refused code is not sent again)", n)
	}

	user := app.WithAccessToken(tok.AccessToken)
	ids := srv.SampleProductIDs(1)
	if _, _, err := user.DS.Product(ctx, ids[0], &aliexpress.DSProductOptions{ShipTo: "US"}); err != nil {
		t.Fatalf("Product with the new token: %v", err)
	}

	// Refresh 23 hours later: a new access token, the refresh token's expiry unchanged.
	clock.Advance(23 * time.Hour)
	if tok.NeedsRefresh(clock.Now(), aliexpress.DefaultRefreshMargin) || !tok.NeedsRefresh(clock.Now(), 2*time.Hour) {
		t.Errorf("one hour before expiry: NeedsRefresh(30m), NeedsRefresh(2h) = %v, %v; want false, true",
			tok.NeedsRefresh(clock.Now(), aliexpress.DefaultRefreshMargin), tok.NeedsRefresh(clock.Now(), 2*time.Hour))
	}
	fresh, _, err := app.OAuth.RefreshToken(ctx, tok.RefreshToken)
	if err != nil {
		t.Fatalf("RefreshToken: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || !fresh.ExpiresAt.Equal(clock.Now().Add(24*time.Hour)) {
		t.Errorf("refreshed Token = %v; want a new access token valid 24h from now", fresh)
	}
	if !fresh.RefreshExpiresAt.Equal(tok.RefreshExpiresAt) {
		t.Errorf("RefreshExpiresAt after refresh = %v; want unchanged %v", fresh.RefreshExpiresAt, tok.RefreshExpiresAt)
	}
	if _, _, err := app.OAuth.RefreshToken(ctx, tok.RefreshToken); !errors.Is(err, aliexpress.ErrInvalidRefreshToken) {
		t.Errorf("RefreshToken with the spent refresh token: err = %v; want ErrInvalidRefreshToken", err)
	}

	// The old access token has expired by now on its own clock.
	clock.Advance(2 * time.Hour)
	if !tok.Expired(clock.Now()) {
		t.Errorf("old token not Expired at %v (expires %v)", clock.Now(), tok.ExpiresAt)
	}
	if _, _, err := user.DS.Product(ctx, ids[0], &aliexpress.DSProductOptions{ShipTo: "US"}); !errors.Is(err, aliexpress.ErrInvalidToken) {
		t.Errorf("Product with an expired token: err = %v; want ErrInvalidToken", err)
	}
	if _, _, err := app.WithAccessToken(fresh.AccessToken).DS.Product(ctx, ids[0], &aliexpress.DSProductOptions{ShipTo: "US"}); err != nil {
		t.Errorf("Product with the refreshed token: %v", err)
	}

	// Past the refresh token's life nothing but a new authorization helps.
	clock.Advance(24 * time.Hour)
	if !fresh.RefreshExpired(clock.Now()) || fresh.NeedsRefresh(clock.Now(), aliexpress.DefaultRefreshMargin) {
		t.Errorf("at %v: RefreshExpired %v, NeedsRefresh %v; want true, false", clock.Now(), fresh.RefreshExpired(clock.Now()), fresh.NeedsRefresh(clock.Now(), aliexpress.DefaultRefreshMargin))
	}
	if _, _, err := app.OAuth.RefreshToken(ctx, fresh.RefreshToken); !errors.Is(err, aliexpress.ErrInvalidRefreshToken) {
		t.Errorf("RefreshToken after its expiry: err = %v; want ErrInvalidRefreshToken", err)
	}

	// An authorization code lives three minutes.
	code := srv.AuthorizeCode(callback)
	clock.Advance(4 * time.Minute)
	if _, _, err := app.OAuth.CreateToken(ctx, code); !errors.Is(err, aliexpress.ErrInvalidCode) {
		t.Errorf("CreateToken with a 4-minute-old code: err = %v; want ErrInvalidCode", err)
	}
}

// TestSandboxOAuthRetriedWhenThrottled checks that a token call the gateway turned away before
// handling it is sent again once the ban is over, and succeeds with the same code. The client
// waits on the sandbox's clock, so the test takes no wall-clock time.
func TestSandboxOAuthRetriedWhenThrottled(t *testing.T) {
	clock := &sbClock{t: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)}
	srv := sandbox.NewServer(sandbox.Options{Now: clock.Now})
	t.Cleanup(srv.Close)
	app := sbClient(t, srv, clock, aliexpress.WithSleep(clock.Sleep))
	srv.SetFaults(sandbox.Faults{RateLimitBurst: 1, Methods: []string{"/auth/token/create"}})
	start := clock.Now()
	tok, resp, err := app.OAuth.CreateToken(context.Background(), srv.AuthorizeCode("https://app.example/cb"))
	if err != nil || tok.AccessToken == "" || resp.Attempts != 2 {
		t.Errorf("CreateToken after one ApiCallLimit = %v, %+v, %v; want the token on the second attempt", tok, resp, err)
	}
	if waited := clock.Now().Sub(start); waited < time.Second {
		t.Errorf("the retry came %s after the ApiCallLimit; want it after the 1s ban", waited)
	}
}
