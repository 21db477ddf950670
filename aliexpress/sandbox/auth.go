package sandbox

import (
	"hash/fnv"
	"strconv"
	"strings"
	"time"
)

// Lifetimes of the platform's OAuth artefacts.
const (
	codeLifetime            = 3 * time.Minute
	testAccessLifetime      = 24 * time.Hour
	testRefreshLifetime     = 48 * time.Hour
	launchedAccessLifetime  = 30 * 24 * time.Hour
	launchedRefreshLifetime = 60 * 24 * time.Hour
)

var (
	errInvalidCode    = isvError("InvalidCode", "Invalid authorization code")
	errIllegalRefresh = isvError("IllegalRefreshToken", "The specified refresh token is invalid or expired")
)

type authCode struct {
	user    string
	appKey  string
	expires time.Time
}

type accessToken struct {
	user    string
	appKey  string
	expires time.Time
}

type refreshToken struct {
	user    string
	appKey  string
	expires time.Time // fixed at the first grant: refreshing does not extend it
	used    bool
}

const tokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomString draws n characters of tokenAlphabet; the caller holds s.mu.
func (s *Sandbox) randomString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = tokenAlphabet[s.rng.IntN(len(tokenAlphabet))]
	}
	return string(b)
}

func (s *Sandbox) lifetimes() (access, refresh time.Duration) {
	if s.opts.LaunchedApp {
		return launchedAccessLifetime, launchedRefreshLifetime
	}
	return testAccessLifetime, testRefreshLifetime
}

// AuthorizeCode returns the authorization code the approval page would hand DefaultUserNick's browser
// for redirectURI: single use, valid for three minutes.
func (s *Sandbox) AuthorizeCode(redirectURI string) string {
	return s.AuthorizeCodeFor(DefaultUserNick, redirectURI)
}

// AuthorizeCodeFor is AuthorizeCode for the buyer account userNick.
func (s *Sandbox) AuthorizeCodeFor(userNick, redirectURI string) string {
	_ = redirectURI // the platform binds codes to the app, not to the callback
	return s.newCode(userNick)
}

func (s *Sandbox) newCode(user string) string {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, c := range s.codes {
		if now.After(c.expires) {
			delete(s.codes, k)
		}
	}
	code := "3_" + s.opts.AppKey + "_" + s.randomString(26)
	s.codes[code] = &authCode{user: user, appKey: s.opts.AppKey, expires: now.Add(codeLifetime)}
	return code
}

// IssueToken grants userNick a token pair without the browser flow, with the lifetimes of the app's
// status, as /auth/token/create would.
func (s *Sandbox) IssueToken(userNick string) (accessToken, refreshToken string) {
	now := s.Now()
	access, refresh := s.lifetimes()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grantLocked(userNick, s.opts.AppKey, now, now.Add(access), now.Add(refresh))
}

// grantLocked stores a new token pair; the caller holds s.mu.
func (s *Sandbox) grantLocked(user, appKey string, now, accessExp, refreshExp time.Time) (string, string) {
	for k, t := range s.access {
		if now.After(t.expires) {
			delete(s.access, k)
		}
	}
	for k, t := range s.refresh {
		if now.After(t.expires) {
			delete(s.refresh, k)
		}
	}
	at := "50000" + strconv.Itoa(100+s.rng.IntN(900)) + s.randomString(56)
	rt := "50001" + strconv.Itoa(100+s.rng.IntN(900)) + s.randomString(56)
	s.access[at] = &accessToken{user: user, appKey: appKey, expires: accessExp}
	s.refresh[rt] = &refreshToken{user: user, appKey: appKey, expires: refreshExp}
	return at, rt
}

// tokenUser returns the owner of a valid access token.
func (s *Sandbox) tokenUser(tok string, now time.Time) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.access[tok]
	if !ok || t.appKey != s.opts.AppKey || !now.Before(t.expires) {
		return "", false
	}
	return t.user, true
}

// tokenCreate is /auth/token/create (and, with security, /auth/token/security/create).
func (s *Sandbox) tokenCreate(security bool) func(*call) (obj, *apiError) {
	return func(c *call) (obj, *apiError) {
		code := c.param("code")
		if code == "" {
			return nil, missingParam("code")
		}
		// The docs list uuid as optional but sending it makes the call fail with InvalidCode.
		if !security && c.param("uuid") != "" {
			return nil, errInvalidCode
		}
		access, refresh := s.lifetimes()
		s.mu.Lock()
		ac, ok := s.codes[code]
		if ok {
			delete(s.codes, code) // single use, even when it turns out expired
		}
		if !ok || ac.appKey != c.appKey || !c.now.Before(ac.expires) {
			s.mu.Unlock()
			return nil, errInvalidCode
		}
		at, rt := s.grantLocked(ac.user, c.appKey, c.now, c.now.Add(access), c.now.Add(refresh))
		s.mu.Unlock()
		return tokenBody(ac.user, at, rt, c.now, c.now.Add(access), c.now.Add(refresh), security), nil
	}
}

// tokenRefresh is /auth/token/refresh (and /auth/token/security/refresh): a new pair whose refresh
// token keeps the old one's expiry; the old refresh token is spent.
func (s *Sandbox) tokenRefresh(security bool) func(*call) (obj, *apiError) {
	return func(c *call) (obj, *apiError) {
		old := c.param("refresh_token")
		if old == "" {
			return nil, missingParam("refresh_token")
		}
		access, _ := s.lifetimes()
		s.mu.Lock()
		rt, ok := s.refresh[old]
		if !ok || rt.used || rt.appKey != c.appKey || !c.now.Before(rt.expires) {
			s.mu.Unlock()
			return nil, errIllegalRefresh
		}
		rt.used = true
		at, nrt := s.grantLocked(rt.user, c.appKey, c.now, c.now.Add(access), rt.expires)
		s.mu.Unlock()
		return tokenBody(rt.user, at, nrt, c.now, c.now.Add(access), rt.expires, security), nil
	}
}

// tokenBody is the flat token response of §4.2.
func tokenBody(user, at, rt string, now, accessExp, refreshExp time.Time, security bool) obj {
	id := userID(user)
	body := obj{
		"access_token":             at,
		"refresh_token":            rt,
		"expires_in":               int64(accessExp.Sub(now) / time.Second),
		"refresh_expires_in":       int64(refreshExp.Sub(now) / time.Second),
		"expire_time":              accessExp.UnixMilli(),
		"refresh_token_valid_time": refreshExp.UnixMilli(),
		"user_id":                  strconv.FormatInt(id, 10),
		"seller_id":                strconv.FormatInt(id, 10),
		"account_id":               strconv.FormatInt(7000000+id%1000000, 10),
		"account_platform":         "buyerApp",
		"locale":                   "en_US",
		"sp":                       "ae",
	}
	if !security {
		body["user_nick"] = user
		body["havana_id"] = strconv.FormatInt(3000000000000+id, 10)
		body["account"] = accountEmail(user)
	}
	return body
}

// userID derives a stable numeric buyer ID from a nick.
func userID(nick string) int64 {
	h := fnv.New64a()
	h.Write([]byte(nick))
	return 2000000000 + int64(h.Sum64()%1000000000)
}

func accountEmail(nick string) string {
	local := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return -1
	}, nick)
	if local == "" {
		local = "buyer"
	}
	return local + "@example.com"
}
