package web

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
)

// Cookies the app sets. Both are HttpOnly and SameSite=Lax; Secure when the app is served over
// https (Config.SecureCookies, or X-Forwarded-Proto with Config.TrustProxy).
const (
	sessionCookie = "aliscout_session" // the accounts service's session token
	flashCookie   = "aliscout_flash"   // what the last action did, shown once by the next page
)

// viewer is who a request comes from: a user signed in with a session cookie, or a script with an
// API token.
type viewer struct {
	User    store.User
	Session store.Session  // zero for a request with an API token
	Token   store.APIToken // zero for a request with a session
}

// Operator reports whether the viewer runs this instance.
func (v *viewer) Operator() bool { return v.User.Role == store.RoleOperator }

// identity is what the accounts middleware found out about a request.
type identity struct {
	v     *viewer
	err   error  // the store failed while checking the session or token
	flash string // the flash message the request carried
}

// identityOf returns what the accounts middleware found out about r.
func identityOf(r *http.Request) identity {
	if st := stateOf(r); st != nil {
		return st.id
	}
	return identity{}
}

// withIdentity returns r known to come from id.
func withIdentity(r *http.Request, id identity) *http.Request {
	if st := stateOf(r); st != nil {
		st.id = id
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), requestStateKey{}, &requestState{id: id}))
}

// viewerOf returns who r comes from; nil when nobody is signed in (or there are no accounts).
func viewerOf(r *http.Request) *viewer { return identityOf(r).v }

// withAccounts puts the accounts step between the outer middleware and the routes: it finds out
// who is asking, then sends requests with a cookie (or none) through the cross-origin guard, and
// requests with an API token straight on: a token is not ambient, as a cookie is, so no other site
// can make a browser send it. Then the sign-in requirement applies to both. Without accounts it is
// the cross-origin guard alone.
func (s *Server) withAccounts(mux http.Handler, cop *http.CrossOriginProtection) http.Handler {
	if s.cfg.Accounts == nil {
		return cop.Handler(mux)
	}
	gated := s.gate(mux)
	guarded := cop.Handler(gated)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/static/") || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
			guarded.ServeHTTP(w, r)
			return
		}
		if token, ok := s.bearer(r); ok {
			user, t, err := s.cfg.Accounts.AuthenticateToken(r.Context(), token)
			if err != nil {
				if errors.Is(err, accounts.ErrUnauthenticated) {
					w.Header().Set("WWW-Authenticate", `Bearer realm="aliscout", error="invalid_token"`)
				}
				s.failErr(w, r, storeErr(err))
				return
			}
			gated.ServeHTTP(w, withIdentity(r, identity{v: &viewer{User: user, Token: t}}))
			return
		}
		guarded.ServeHTTP(w, withIdentity(r, s.identify(w, r)))
	})
}

// bearer returns the API token of r's Authorization header. Tokens count only for the JSON API,
// /metrics and starting to connect an AliExpress account (which a script may ask for the link
// to send its user to): pages are for browsers, which sign in.
func (s *Server) bearer(r *http.Request) (string, bool) {
	if !isAPI(r) && r.URL.Path != "/metrics" && r.URL.Path != connectStartPath {
		return "", false
	}
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// identify reads the session cookie and the flash cookie of a browser's request. A cookie that no
// longer names a session is cleared; a store that does not answer is remembered, so that research
// goes on working while lists and accounts say the database is down.
func (s *Server) identify(w http.ResponseWriter, r *http.Request) identity {
	var id identity
	if c, err := r.Cookie(flashCookie); err == nil {
		if b, err := base64.RawURLEncoding.DecodeString(c.Value); err == nil && utf8.Valid(b) {
			id.flash = cleanText(string(b))
		}
		if !isAPI(r) {
			s.clearCookie(w, r, flashCookie)
		}
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return id
	}
	user, sess, err := s.cfg.Accounts.Session(r.Context(), c.Value)
	switch {
	case err == nil:
		id.v = &viewer{User: user, Session: sess}
	case errors.Is(err, accounts.ErrUnauthenticated):
		s.clearCookie(w, r, sessionCookie)
	default:
		s.log.Error("session lookup failed", "path", logPath(r), "err", err)
		id.err = err
	}
	return id
}

// gate refuses requests that need a signed-in user and have none. Pages send the visitor to
// sign in; the API answers 401.
func (s *Server) gate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := identityOf(r)
		if id.v != nil { // AliExpress calls count against the user's share of the quota
			r = r.WithContext(quota.WithCaller(r.Context(), id.v.User.ID, quota.Interactive))
		}
		switch {
		case r.URL.Path == "/metrics" && !s.cfg.MetricsOpen:
			switch {
			case id.v == nil && id.err != nil:
				s.failErr(w, r, storeErr(id.err))
			case id.v == nil:
				s.refuseAnonymous(w, r)
			case !id.v.Operator():
				s.failErr(w, r, accounts.ErrForbidden)
			default:
				next.ServeHTTP(w, r)
			}
		case id.v != nil, publicPath(r.URL.Path), s.cfg.OpenResearch:
			// With open research, the list and account handlers ask for a user themselves.
			next.ServeHTTP(w, r)
		case id.err != nil:
			s.failErr(w, r, storeErr(id.err))
		default:
			s.refuseAnonymous(w, r)
		}
	})
}

// publicPath reports whether path is open to everyone even when research is not: what it takes
// to sign in or up, static files, and the probes.
func publicPath(path string) bool {
	switch path {
	case "/signin", "/signup", "/signout", "/healthz", "/readyz", "/metrics", "/webhooks/aliexpress":
		return true
	}
	return strings.HasPrefix(path, "/invite/") || strings.HasPrefix(path, "/static/")
}

// refuseAnonymous answers a request that needs a signed-in user: 401 for the API and /metrics
// (scrapers follow no sign-in page), and for a page a redirect to the sign-in page, which comes
// back here afterwards.
func (s *Server) refuseAnonymous(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) || r.URL.Path == "/metrics" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="aliscout"`)
		s.fail(w, r, problemOf(accounts.ErrUnauthenticated))
		return
	}
	next := ""
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		next = r.URL.RequestURI()
	}
	http.Redirect(w, r, signinURL(next), http.StatusSeeOther)
}

// signedIn returns who r comes from, or answers r (sign in first, or the database is down) and
// returns false.
func (s *Server) signedIn(w http.ResponseWriter, r *http.Request) (*viewer, bool) {
	id := identityOf(r)
	switch {
	case id.v != nil:
		return id.v, true
	case id.err != nil:
		s.failErr(w, r, storeErr(id.err))
	default:
		s.refuseAnonymous(w, r)
	}
	return nil, false
}

// signinURL is the sign-in page that returns to next afterwards.
func signinURL(next string) string {
	if next = localNext(next); next == "" || next == "/" {
		return "/signin"
	}
	return "/signin?" + url.Values{"next": {next}}.Encode()
}

// localNext returns next when it is a path on this site, "" otherwise, so that a crafted sign-in
// link cannot send a user to another site afterwards.
func localNext(next string) string {
	if next == "" || len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

// secure reports whether r reached the app over https, so that its cookies may be Secure.
func (s *Server) secure(r *http.Request) bool {
	if s.cfg.SecureCookies || r.TLS != nil {
		return true
	}
	if s.cfg.TrustProxy {
		proto, _, _ := strings.Cut(r.Header.Get("X-Forwarded-Proto"), ",")
		return strings.EqualFold(strings.TrimSpace(proto), "https")
	}
	return false
}

// clientAddr is the address sign-ins are throttled by and sessions are listed with: the
// connection's, or with Config.TrustProxy the last one the proxy added to X-Forwarded-For.
func (s *Server) clientAddr(r *http.Request) string {
	if s.cfg.TrustProxy {
		if vs := r.Header.Values("X-Forwarded-For"); len(vs) > 0 {
			parts := strings.Split(vs[len(vs)-1], ",")
			last := strings.TrimSpace(parts[len(parts)-1])
			if a, err := netip.ParseAddr(last); err == nil {
				return a.String()
			}
		}
	}
	return r.RemoteAddr
}

// client is what the accounts service records about the browser signing in.
func (s *Server) client(r *http.Request) accounts.Client {
	return accounts.Client{UserAgent: r.UserAgent(), Addr: s.clientAddr(r)}
}

// startSession gives the browser the session cookie of a sign-in or sign-up. The cookie lives as
// long as the session can; the server ends it sooner when it is not used.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, in accounts.SignedIn) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: in.Token, Path: "/", Expires: in.Session.ExpiresAt,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// clearCookie tells the browser to forget a cookie.
func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// maxFlash bounds a flash message, which travels in a cookie.
const maxFlash = 600

// setFlash makes the next page say what an action did.
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, format string, args ...any) {
	msg := truncateText(fmt.Sprintf(format, args...), maxFlash)
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(msg)),
		Path: "/", MaxAge: 60, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
}

// seeOther sends the browser on after a form POST, so that a reload does not post again.
func seeOther(w http.ResponseWriter, r *http.Request, target string) {
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// logPath is r's path as logs may show it: an invitation link's token is a secret.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, "/invite/") {
		return "/invite/…"
	}
	return r.URL.Path
}

// retryUntil makes a problem that ends at a time (a sign-in lockout) say how long that is.
func (s *Server) retryUntil(p *problem) {
	if !p.Until.IsZero() && p.RetryAfter == 0 {
		p.RetryAfter = max(p.Until.Sub(s.now()), time.Second)
	}
}

// storeErr marks an error of the store or the accounts service that is not one of their kinds
// (not found, conflict, invalid, wrong password, ...) as the database failing, which users are
// told is a 503 while research goes on working.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := sentinelProblem(err); ok {
		return err
	}
	var ce *catalog.Error
	if errors.As(err, &ce) {
		return err
	}
	return fmt.Errorf("%w: %w", errStoreDown, err)
}

// pathID reads a numeric id from the path. Anything else is a list, item, token or session that
// does not exist: 404, like another user's.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 || len(s) > 19 || s[0] == '+' {
		return 0, fmt.Errorf("%s %q: %w", name, truncateText(s, 40), store.ErrNotFound)
	}
	return id, nil
}

// truncateText cuts s to at most n bytes without splitting a character.
func truncateText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}
