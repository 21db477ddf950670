package aliexpress_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

const (
	oauthAccess  = "50000TESTACCESS0000000000000000000000000000000000000000000000"
	oauthRefresh = "50001TESTREFRESH000000000000000000000000000000000000000000000"
)

func oauthFixtures(path string, names ...string) map[string][]string {
	for i, n := range names {
		if !strings.HasPrefix(n, "status:") {
			names[i] = "oauth/" + n
		}
	}
	return map[string][]string{path: names}
}

func TestOAuthAuthorizeURL(t *testing.T) {
	f := newDSFake(t, nil)
	c := f.client(t)
	got := c.OAuth.AuthorizeURL("https://app.example/callback?x=1", "")
	want := f.srv.URL + "/prefix/oauth/authorize?response_type=code&force_auth=true&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback%3Fx%3D1&client_id=" + dsKey
	if got != want {
		t.Errorf("AuthorizeURL = %s; want %s", got, want)
	}
	got = c.OAuth.AuthorizeURL("https://app.example/cb", "st&ate")
	if !strings.HasSuffix(got, "&client_id="+dsKey+"&state=st%26ate") {
		t.Errorf("AuthorizeURL with state = %s; want state escaped at the end", got)
	}
	if strings.Contains(got, dsSecret) || strings.Contains(got, dsToken) {
		t.Errorf("AuthorizeURL = %s carries a secret", got)
	}
	def, _ := aliexpress.NewClient("k", "s")
	if got := def.OAuth.AuthorizeURL("https://a.example/cb", ""); !strings.HasPrefix(got, "https://api-sg.aliexpress.com/oauth/authorize?response_type=code&force_auth=true&") {
		t.Errorf("default AuthorizeURL = %s", got)
	}
}

func TestOAuthCreateToken(t *testing.T) {
	const path = "/auth/token/create"
	for _, fx := range []string{"create_numbers.json", "create_strings.json"} {
		t.Run(fx, func(t *testing.T) {
			f := newDSFake(t, oauthFixtures(path, fx))
			tok, resp, err := f.client(t).OAuth.CreateToken(context.Background(), "3_500777_code")
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != oauthAccess || tok.RefreshToken != oauthRefresh {
				t.Errorf("tokens = %q, %q", tok.AccessToken, tok.RefreshToken)
			}
			if want := time.UnixMilli(1700086400000); !tok.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v; want %v (expire_time)", tok.ExpiresAt, want)
			}
			if want := time.UnixMilli(1700172800000); !tok.RefreshExpiresAt.Equal(want) {
				t.Errorf("RefreshExpiresAt = %v; want %v (refresh_token_valid_time)", tok.RefreshExpiresAt, want)
			}
			if tok.UserID != "2000000001" || tok.AccountID != "7000001" || tok.UserNick != "us1000000001abcd" ||
				tok.Account != "buyer@example.com" || tok.AccountPlatform != "buyerApp" || tok.Locale != "en_US" || tok.SellerID != "2000000001" {
				t.Errorf("Token = %#v", tok)
			}
			if resp.RequestID == "" || resp.Attempts != 1 {
				t.Errorf("Response = %+v", resp)
			}
			s := f.last(path)
			if s.Path != "/prefix/rest/auth/token/create" {
				t.Errorf("path = %s; want /prefix/rest/auth/token/create", s.Path)
			}
			if s.Params["code"] != "3_500777_code" || s.Params["sign_method"] != "sha256" {
				t.Errorf("params = %v; want code and sign_method sha256", s.Params)
			}
			for _, k := range []string{"session", "uuid", "access_token"} {
				if _, ok := s.Params[k]; ok {
					t.Errorf("token call sent %s", k)
				}
			}
			// The fake checked the signature with the path prefix; check it fails without.
			noPrefix, _ := aliexpress.Sign(aliexpress.SignSHA256, dsSecret, "", s.Params)
			if noPrefix == s.Params["sign"] {
				t.Errorf("signature does not cover the API path")
			}
		})
	}
}

func TestOAuthLifetimesFromClock(t *testing.T) {
	const path = "/auth/token/refresh"
	f := newDSFake(t, oauthFixtures(path, "refresh_lifetimes_only.json"))
	tok, _, err := f.client(t).OAuth.RefreshToken(context.Background(), oauthRefresh)
	if err != nil {
		t.Fatal(err)
	}
	if want := dsNow.Add(30 * 24 * time.Hour); !tok.ExpiresAt.Equal(want) {
		t.Errorf("ExpiresAt = %v; want clock + expires_in = %v", tok.ExpiresAt, want)
	}
	if want := dsNow.Add(60 * 24 * time.Hour); !tok.RefreshExpiresAt.Equal(want) {
		t.Errorf("RefreshExpiresAt = %v; want clock + refresh_expires_in = %v", tok.RefreshExpiresAt, want)
	}
	s := f.last(path)
	if s.Path != "/prefix/rest/auth/token/refresh" || s.Params["refresh_token"] != oauthRefresh {
		t.Errorf("request = %+v", s)
	}
}

func TestOAuthErrors(t *testing.T) {
	t.Run("InvalidCode flat", func(t *testing.T) {
		f := newDSFake(t, oauthFixtures("/auth/token/create", "error_invalid_code.json"))
		_, _, err := f.client(t).OAuth.CreateToken(context.Background(), "used-code")
		var e *aliexpress.Error
		if !errors.Is(err, aliexpress.ErrInvalidCode) || !errors.As(err, &e) || e.Code != "InvalidCode" || e.RequestID == "" {
			t.Errorf("err = %v; want ErrInvalidCode", err)
		}
		if n := len(f.requests("/auth/token/create")); n != 1 {
			t.Errorf("%d calls; a refused code must not be sent again", n)
		}
	})
	t.Run("IllegalRefreshToken wrapped", func(t *testing.T) {
		f := newDSFake(t, oauthFixtures("/auth/token/refresh", "error_wrapped_refresh.json"))
		_, _, err := f.client(t).OAuth.RefreshToken(context.Background(), "old")
		if !errors.Is(err, aliexpress.ErrInvalidRefreshToken) {
			t.Errorf("err = %v; want ErrInvalidRefreshToken", err)
		}
	})
	t.Run("transport failure retried", func(t *testing.T) {
		f := newDSFake(t, oauthFixtures("/auth/token/create", "status:503", "create_numbers.json"))
		tok, resp, err := f.client(t).OAuth.CreateToken(context.Background(), "code")
		if err != nil || tok.AccessToken != oauthAccess || resp.Attempts != 2 {
			t.Errorf("CreateToken after a 503 = %v, %+v, %v; want the token on the second attempt", tok, resp, err)
		}
	})
	t.Run("spent on a lost attempt", func(t *testing.T) {
		f := newDSFake(t, oauthFixtures("/auth/token/refresh", "status:502", "error_wrapped_refresh.json"))
		_, _, err := f.client(t).OAuth.RefreshToken(context.Background(), "old")
		if !errors.Is(err, aliexpress.ErrInvalidRefreshToken) || !strings.Contains(err.Error(), "earlier attempt") {
			t.Errorf("err = %v; want ErrInvalidRefreshToken saying an earlier attempt may have used it", err)
		}
	})
	t.Run("empty arguments", func(t *testing.T) {
		f := newDSFake(t, nil)
		c := f.client(t)
		if _, _, err := c.OAuth.CreateToken(context.Background(), " "); !errors.Is(err, aliexpress.ErrInvalidParameter) {
			t.Errorf("CreateToken(\"\") err = %v; want ErrInvalidParameter", err)
		}
		if _, _, err := c.OAuth.RefreshToken(context.Background(), ""); !errors.Is(err, aliexpress.ErrInvalidParameter) {
			t.Errorf("RefreshToken(\"\") err = %v; want ErrInvalidParameter", err)
		}
		if len(f.seen) != 0 {
			t.Errorf("%d requests; want none", len(f.seen))
		}
	})
}

func TestTokenNeverPrintsSecrets(t *testing.T) {
	tok := &aliexpress.Token{AccessToken: oauthAccess, RefreshToken: oauthRefresh, UserID: "2000000001", UserNick: "nick",
		ExpiresAt: dsNow, RefreshExpiresAt: dsNow.Add(time.Hour)}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("token", "t", tok, "v", *tok)
	outs := map[string]string{
		"%v": fmt.Sprintf("%v", tok), "%+v": fmt.Sprintf("%+v", tok), "%#v": fmt.Sprintf("%#v", tok),
		"%s": tok.String(), "%#v value": fmt.Sprintf("%#v", *tok),
		"nested": fmt.Sprintf("%+v", struct{ T aliexpress.Token }{*tok}), "slog": logged.String(),
	}
	for verb, out := range outs {
		if strings.Contains(out, "TESTACCESS") || strings.Contains(out, "TESTREFRESH") {
			t.Errorf("%s prints a token: %s", verb, out)
		}
		if !strings.Contains(out, "2000000001") {
			t.Errorf("%s leaves out the user: %s", verb, out)
		}
	}
}

func TestTokenExpiry(t *testing.T) {
	exp := dsNow.Add(time.Hour)
	tok := aliexpress.Token{AccessToken: "a", RefreshToken: "r", ExpiresAt: exp, RefreshExpiresAt: dsNow.Add(48 * time.Hour)}
	for _, tc := range []struct {
		now                           time.Time
		expired, needs, refreshExpire bool
	}{
		{dsNow, false, false, false},
		{exp.Add(-31 * time.Minute), false, false, false},
		{exp.Add(-30 * time.Minute), false, true, false},
		{exp, true, true, false},
		{dsNow.Add(48 * time.Hour), true, false, true},
	} {
		if got := tok.Expired(tc.now); got != tc.expired {
			t.Errorf("Expired(%v) = %v; want %v", tc.now, got, tc.expired)
		}
		if got := tok.NeedsRefresh(tc.now, aliexpress.DefaultRefreshMargin); got != tc.needs {
			t.Errorf("NeedsRefresh(%v, 30m) = %v; want %v", tc.now, got, tc.needs)
		}
		if got := tok.RefreshExpired(tc.now); got != tc.refreshExpire {
			t.Errorf("RefreshExpired(%v) = %v; want %v", tc.now, got, tc.refreshExpire)
		}
	}
	var unknown aliexpress.Token
	if unknown.Expired(dsNow) || unknown.NeedsRefresh(dsNow, time.Hour) {
		t.Errorf("a token of unknown expiry reads as expired or due")
	}
}
