package aliexpress

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// OAuth: the browser authorization URL and the system token APIs on /rest (/auth/token/create,
// /auth/token/refresh). Section 6.1 of the reference.

// DefaultRefreshMargin is how long before expiry the platform recommends refreshing an access token.
const DefaultRefreshMargin = 30 * time.Minute

// Token is a user's authorization: the access token that DS calls send as their session, and the
// refresh token that renews it. Its String, GoString and LogValue never show the two tokens, so a
// Token may be logged or printed with any verb; store it encrypted.
type Token struct {
	AccessToken  string
	RefreshToken string
	// ExpiresAt is when the access token stops working, RefreshExpiresAt when the refresh token
	// does. Refreshing renews the first but not the second: once it passes, the user must
	// authorize the app again. Zero means the platform did not say.
	ExpiresAt        time.Time
	RefreshExpiresAt time.Time

	UserID          string
	SellerID        string
	AccountID       string
	HavanaID        string
	UserNick        string
	Account         string // the account's login, often an e-mail address
	AccountPlatform string // e.g. "buyerApp" for dropshippers
	Locale          string
	SP              string // the site, "ae"
}

// Expired reports whether the access token has expired at now. A token whose expiry is unknown is
// not expired.
func (t Token) Expired(now time.Time) bool {
	return !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt)
}

// RefreshExpired reports whether the refresh token has expired at now, after which only a new
// authorization gives the app access again. A refresh token whose expiry is unknown is not expired.
func (t Token) RefreshExpired(now time.Time) bool {
	return t.RefreshToken == "" || (!t.RefreshExpiresAt.IsZero() && !now.Before(t.RefreshExpiresAt))
}

// NeedsRefresh reports whether the access token expires within margin of now (or has expired) and
// can still be refreshed. The platform recommends a margin of 30 minutes (DefaultRefreshMargin).
// When it is false because RefreshExpired is true, the user must authorize the app again.
func (t Token) NeedsRefresh(now time.Time, margin time.Duration) bool {
	if t.ExpiresAt.IsZero() || t.RefreshExpired(now) {
		return false
	}
	return !now.Add(margin).Before(t.ExpiresAt)
}

// String describes the token without its secrets.
func (t Token) String() string {
	return fmt.Sprintf("Token{user=%s nick=%q access=%s refresh=%s expires=%s refresh_expires=%s}",
		t.UserID, t.UserNick, oauthMask(t.AccessToken), oauthMask(t.RefreshToken),
		oauthTime(t.ExpiresAt), oauthTime(t.RefreshExpiresAt))
}

// GoString is used by %#v; like String it leaves the tokens out.
func (t Token) GoString() string {
	return fmt.Sprintf("aliexpress.Token{AccessToken:%q, RefreshToken:%q, ExpiresAt:%q, RefreshExpiresAt:%q, UserID:%q, SellerID:%q, AccountID:%q, UserNick:%q, AccountPlatform:%q, Locale:%q}",
		oauthMask(t.AccessToken), oauthMask(t.RefreshToken), oauthTime(t.ExpiresAt), oauthTime(t.RefreshExpiresAt),
		t.UserID, t.SellerID, t.AccountID, t.UserNick, t.AccountPlatform, t.Locale)
}

// LogValue makes slog log the token without its secrets.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("user_id", t.UserID),
		slog.String("user_nick", t.UserNick),
		slog.String("access_token", oauthMask(t.AccessToken)),
		slog.String("refresh_token", oauthMask(t.RefreshToken)),
		slog.Time("expires_at", t.ExpiresAt),
		slog.Time("refresh_expires_at", t.RefreshExpiresAt),
	)
}

var (
	_ fmt.Stringer   = Token{}
	_ fmt.GoStringer = Token{}
	_ slog.LogValuer = Token{}
)

func oauthMask(s string) string {
	if s == "" {
		return "[none]"
	}
	return "[redacted]"
}

func oauthTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format(time.RFC3339)
}

// AuthorizeURL returns the page to send the user's browser to so that they authorize the app:
// <gateway>/oauth/authorize?response_type=code&force_auth=true&redirect_uri=…&client_id=<app key>.
// The platform then redirects to redirectURI (which must match the callback URL configured for the
// app) with ?code=…, valid for 3 minutes and once, for CreateToken. state, when not empty, is
// added for the caller's CSRF check; whether the platform echoes it back is not documented, so
// also bind the state to the user's session on your side. The URL carries no secret.
func (s *OAuthService) AuthorizeURL(redirectURI, state string) string {
	u := *s.client.gateway
	u.Path += "/oauth/authorize"
	var b strings.Builder
	b.WriteString("response_type=code&force_auth=true&redirect_uri=")
	b.WriteString(url.QueryEscape(redirectURI))
	b.WriteString("&client_id=")
	b.WriteString(url.QueryEscape(s.client.appKey))
	if state != "" {
		b.WriteString("&state=")
		b.WriteString(url.QueryEscape(state))
	}
	u.RawQuery = b.String()
	return u.String()
}

const (
	oauthCreatePath  = "/auth/token/create"
	oauthRefreshPath = "/auth/token/refresh"
)

// CreateToken exchanges an authorization code (from the redirect AuthorizeURL leads to) for a
// token. It calls /auth/token/create. A code that is expired, already used or unknown fails with
// ErrInvalidCode: send the user through AuthorizeURL again.
//
// A call that failed in transit (network error, HTTP 5xx) is sent again, because a code the
// platform never saw is still good. If the first attempt did reach the platform, the code is used
// up and the retry fails with ErrInvalidCode, as a caller's own retry would; the error then says so.
func (s *OAuthService) CreateToken(ctx context.Context, code string) (*Token, *Response, error) {
	code = strings.TrimSpace(code)
	if code == "" {
		return nil, &Response{Method: oauthCreatePath}, &Error{Method: oauthCreatePath, Kind: ErrInvalidParameter, Message: "code: is required"}
	}
	// uuid is documented as optional but makes the platform answer InvalidCode; it is never sent.
	return s.token(ctx, oauthCreatePath, map[string]string{"code": code}, ErrInvalidCode)
}

// RefreshToken renews an access token with the refresh token of a Token. It calls
// /auth/token/refresh. The answer carries a new access token and a new refresh token; store both,
// as the old refresh token may no longer work. The refresh token's own expiry does not move. An
// unknown, used or expired refresh token fails with ErrInvalidRefreshToken: the user must
// authorize the app again.
//
// As with CreateToken, a call that failed in transit is sent again: a refresh the platform never
// saw loses nothing, and one it did see has already spent the old refresh token, whose answer is
// lost either way.
func (s *OAuthService) RefreshToken(ctx context.Context, refreshToken string) (*Token, *Response, error) {
	refreshToken = strings.TrimSpace(refreshToken)
	if refreshToken == "" {
		return nil, &Response{Method: oauthRefreshPath}, &Error{Method: oauthRefreshPath, Kind: ErrInvalidParameter, Message: "refreshToken: is required"}
	}
	return s.token(ctx, oauthRefreshPath, map[string]string{"refresh_token": refreshToken}, ErrInvalidRefreshToken)
}

type oauthTokenWire struct {
	AccessToken           flexString `json:"access_token"`
	RefreshToken          flexString `json:"refresh_token"`
	ExpiresIn             flexInt    `json:"expires_in"`
	RefreshExpiresIn      flexInt    `json:"refresh_expires_in"`
	ExpireTime            flexInt    `json:"expire_time"`
	RefreshTokenValidTime flexInt    `json:"refresh_token_valid_time"`
	UserID                flexString `json:"user_id"`
	SellerID              flexString `json:"seller_id"`
	AccountID             flexString `json:"account_id"`
	HavanaID              flexString `json:"havana_id"`
	UserNick              flexText   `json:"user_nick"`
	Account               flexText   `json:"account"`
	AccountPlatform       flexString `json:"account_platform"`
	Locale                flexString `json:"locale"`
	SP                    flexString `json:"sp"`
}

// token makes a token call. The request is marked idempotent so that the client resends it after
// a transport failure; the platform's refusals (spent is the kind for a used code or refresh token)
// are never retried. The access token is required; every other field is optional.
func (s *OAuthService) token(ctx context.Context, path string, params map[string]string, spent error) (*Token, *Response, error) {
	c := s.client
	sent := c.now()
	x, err := c.do(ctx, &request{method: path, params: params, idempotent: true})
	if err != nil {
		var e *Error
		if x.resp.Attempts > 1 && errors.As(err, &e) && e.Kind == spent {
			e.Message += " (an earlier attempt that failed in transit may have used it)"
		}
		return nil, x.resp, err
	}
	var w oauthTokenWire
	if err := x.decode("", x.payload, &w); err != nil {
		return nil, x.resp, err
	}
	if err := x.need(w.AccessToken.bad, func() string { return "access_token" }); err != nil {
		return nil, x.resp, err
	}
	if w.AccessToken.s == "" {
		return nil, x.resp, x.required("access_token", "missing")
	}
	t := &Token{
		AccessToken: w.AccessToken.s, RefreshToken: w.RefreshToken.s,
		ExpiresAt:        oauthExpiry(w.ExpireTime.v, w.ExpiresIn.v, sent),
		RefreshExpiresAt: oauthExpiry(w.RefreshTokenValidTime.v, w.RefreshExpiresIn.v, sent),
		UserID:           w.UserID.s, SellerID: w.SellerID.s, AccountID: w.AccountID.s,
		HavanaID: w.HavanaID.s, UserNick: w.UserNick.s, Account: w.Account.s,
		AccountPlatform: w.AccountPlatform.s, Locale: w.Locale.s, SP: w.SP.s,
	}
	return t, x.resp, nil
}

// oauthExpiry is the absolute expiry (epoch ms) when the platform gives one, else the time the
// request was sent plus the lifetime in seconds (so that the estimate errs early), else zero. An
// absolute time too small to be in milliseconds (before 1973) is read as seconds.
func oauthExpiry(epoch, lifetimeSeconds int64, sent time.Time) time.Time {
	switch {
	case epoch >= 100_000_000_000:
		return time.UnixMilli(epoch).UTC()
	case epoch > 0:
		return time.Unix(epoch, 0).UTC()
	}
	if lifetimeSeconds > 0 && lifetimeSeconds < 1<<32 {
		return sent.Add(time.Duration(lifetimeSeconds) * time.Second).UTC()
	}
	return time.Time{}
}

// restUnwrap returns the token object of a /rest answer: the body itself, or the object under
// a *_response key some gateways wrap it in (e.g. aliexpress_system_oauth_token_refresh_response).
func restUnwrap(body []byte) []byte {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		return body
	}
	if _, ok := top["access_token"]; ok {
		return body
	}
	for k, v := range top {
		if strings.HasSuffix(k, "_response") && isObject(v) {
			return v
		}
	}
	return body
}
