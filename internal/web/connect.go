package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// Connected AliExpress accounts: a user connects their AliExpress buyer account through the
// platform's OAuth, so that DS data (variants, stock, shipping, as their account sees it) comes
// from the DS API with that account's token. The web app never holds a token: Connections
// (internal/connect, through a small adapter in cmd/aliscout) keeps them sealed, and
// Config.UserCatalog hands the pages a catalog that calls AliExpress as the account.

// Routes of connecting an account.
const (
	connectStartPath    = "/connect/aliexpress" // GET, optionally ?store_url=
	connectCallbackPath = "/connect/callback"   // where AliExpress sends the browser back
)

// connectCookie keeps the authorization's state in the browser that started it, for a callback
// that comes back without it: whether the platform returns state is not documented.
const connectCookie = "aliscout_connect"

// connectStateTTL is how long the state cookie lives; the state itself ends after 15 minutes.
const connectStateTTL = 15 * time.Minute

// Connections is what the web app needs of the connected-accounts service (internal/connect).
// Methods that take a user act on that user's accounts only: another user's account is
// ErrNotConnected. No method returns or takes a token.
type Connections interface {
	// Begin records a state bound to the user's session (sessionID 0: to the user alone, for a
	// script with an API token) and returns the platform's authorization page to send the
	// browser to. storeURL (may be empty) is reported to the platform once connected; a bad one
	// is an invalid-input error on the field store_url. origin (scheme://host) is where the
	// request came to, one of Config.AllowedHosts: an app with no fixed public address may send
	// the browser back there, to the host its session cookie belongs to.
	Begin(ctx context.Context, userID, sessionID int64, storeURL, origin string) (authorizeURL string, err error)
	// Complete checks the state (ErrConnectState when it is missing, used, expired or another
	// user's or session's), exchanges the code (ErrConnectCode when the platform refuses it) and
	// saves the account.
	Complete(ctx context.Context, userID, sessionID int64, code, state string) (ConnectedAccount, error)
	// List returns the user's accounts, the default first.
	List(ctx context.Context, userID int64) ([]ConnectedAccount, error)
	// SetDefault makes one of the user's accounts the one DS data comes from.
	SetDefault(ctx context.Context, userID, accountID int64) error
	// Disconnect deletes one of the user's accounts with its tokens.
	Disconnect(ctx context.Context, userID, accountID int64) error
	// SetStoreURL changes the store reported with one of the user's accounts and reports it anew.
	SetStoreURL(ctx context.Context, userID, accountID int64, storeURL string) (ConnectedAccount, error)
	// CallbackURL is the redirect_uri sent to the platform: the operator sets it as the app's
	// Callback URL in the App Console.
	CallbackURL() string
}

// ConnectedAccount is a connected AliExpress account as its user sees it. It holds no token.
type ConnectedAccount struct {
	ID               int64
	Nick             string // the platform's user_nick; untrusted text
	Email            string // the platform's "account"; untrusted text
	StoreURL         string
	IsDefault        bool
	NeedsReconnect   bool
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time // when the user must authorize again at the latest
	ReportState      store.ReportState
	ReportMessage    string // the platform's answer when the report failed; untrusted text
	ReportedAt       time.Time
	CreatedAt        time.Time
}

// Errors of Connections and Config.UserCatalog, each with what the user is told in
// sentinelProblems.
var (
	// ErrConnectState: the callback's state is missing, unknown, used, expired, or another's.
	ErrConnectState = errors.New("web: the authorization's state is not valid")
	// ErrConnectCode: the platform refused the authorization code (3 minutes, single use).
	ErrConnectCode = errors.New("web: AliExpress refused the authorization code")
	// ErrNotConnected: the user has no connected account, or not the one named.
	ErrNotConnected = errors.New("web: no such connected AliExpress account")
	// ErrReconnect: the account's authorization has ended; only connecting it again helps.
	ErrReconnect = errors.New("web: the AliExpress account must be connected again")
)

// connectRoutes registers connecting, listing and managing AliExpress accounts. They exist when
// the app has accounts and Config.Connections.
func (s *Server) connectRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET "+connectStartPath, s.connectStart)
	mux.HandleFunc("GET "+connectCallbackPath, s.connectCallback)
	mux.HandleFunc("POST /account/aliexpress/{id}/default", s.connectDefaultPost)
	mux.HandleFunc("POST /account/aliexpress/{id}/store-url", s.connectStoreURLPost)
	mux.HandleFunc("POST /account/aliexpress/{id}/disconnect", s.connectDisconnectPost)

	mux.HandleFunc("GET /api/aliexpress-accounts", s.apiConnectedAccounts)
	mux.HandleFunc("POST /api/aliexpress-accounts/{id}/default", s.apiConnectedDefault)
	mux.HandleFunc("PATCH /api/aliexpress-accounts/{id}", s.apiConnectedStoreURL)
	mux.HandleFunc("DELETE /api/aliexpress-accounts/{id}", s.apiConnectedDisconnect)
}

// connectFormAction lets the forms that start connecting an account (the account page's, the
// banner's Reconnect) follow their redirect to the platform's authorization page: browsers hold
// a form's redirects to the policy's form-action too.
func (s *Server) connectFormAction(csp string) string {
	if !s.connections() || s.cfg.ConnectOrigin == "" {
		return csp
	}
	u, err := url.Parse(s.cfg.ConnectOrigin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		strings.ContainsAny(u.Host, " ;,'") {
		s.log.Warn("ignoring the connect origin: want scheme://host[:port]", "origin", s.cfg.ConnectOrigin)
		return csp
	}
	return strings.Replace(csp, "form-action 'self'", "form-action 'self' "+u.Scheme+"://"+strings.ToLower(u.Host), 1)
}

// connections reports whether the app connects AliExpress accounts.
func (s *Server) connections() bool { return s.cfg.Accounts != nil && s.cfg.Connections != nil }

// connectStart answers GET /connect/aliexpress: it sends the signed-in user's browser to the
// platform's authorization page. A script with an API token gets the page's URL (in Location, or
// as JSON when it accepts JSON) to send its user to; that user finishes in a browser signed in to
// the same account.
func (s *Server) connectStart(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	storeURL := strings.TrimSpace(r.URL.Query().Get("store_url"))
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	authURL, err := s.cfg.Connections.Begin(r.Context(), v.User.ID, v.Session.ID, storeURL, scheme+"://"+r.Host)
	if err != nil {
		err = storeErr(err)
		if v.Session.ID == 0 {
			p := problemOf(err)
			s.logError(r, err, p)
			writeJSONError(w, p)
			return
		}
		s.accountRefused(w, r, v, map[string]string{"store_url": storeURL}, err)
		return
	}
	if v.Session.ID == 0 {
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			w.Header().Set("Location", authURL)
			writeJSON(w, http.StatusOK, map[string]string{"authorize_url": authURL})
			return
		}
	} else if u, err := url.Parse(authURL); err == nil && u.Query().Get("state") != "" {
		http.SetCookie(w, &http.Cookie{Name: connectCookie, Value: u.Query().Get("state"), Path: "/connect/",
			MaxAge: int(connectStateTTL / time.Second), HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, authURL, http.StatusSeeOther)
}

// connectCallback answers GET /connect/callback, where the platform sends the browser back with
// the code (or error=access_denied), and the state when it returns it; otherwise the state
// cookie stands in. A missing, reused or foreign state is refused with the account page saying
// so; a connected account shows there.
func (s *Server) connectCallback(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if c, err := r.Cookie(connectCookie); err == nil && state == "" {
		state = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: connectCookie, Value: "", Path: "/connect/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteLaxMode})
	if q.Get("error") != "" && q.Get("code") == "" {
		s.setFlash(w, r, "No AliExpress account was connected: the authorization was cancelled on AliExpress.")
		seeOther(w, r, "/account#aliexpress")
		return
	}
	a, err := s.cfg.Connections.Complete(r.Context(), v.User.ID, v.Session.ID, q.Get("code"), state)
	if err != nil {
		s.accountRefused(w, r, v, nil, storeErr(err))
		return
	}
	s.setFlash(w, r, "Connected the AliExpress account %s.", cleanText(a.Nick))
	seeOther(w, r, "/account#aliexpress")
}

// connectedID reads the account id of the path; anything else is an account the user does not
// have.
func connectedID(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, ErrNotConnected
	}
	return id, nil
}

func (s *Server) connectDefaultPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	id, err := connectedID(r)
	if err == nil {
		err = s.cfg.Connections.SetDefault(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "DS data now comes from the account you chose.")
	seeOther(w, r, "/account#aliexpress")
}

func (s *Server) connectStoreURLPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	id, err := connectedID(r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	storeURL := strings.TrimSpace(r.PostForm.Get("store_url"))
	a, err := s.cfg.Connections.SetStoreURL(r.Context(), v.User.ID, id, storeURL)
	switch {
	case errors.Is(err, ErrNotConnected):
		s.failErr(w, r, err)
		return
	case err != nil:
		s.accountRefused(w, r, v, nil, storeErr(err))
		return
	}
	if a.StoreURL == "" {
		s.setFlash(w, r, "The store URL of %s is removed.", cleanText(a.Nick))
	} else {
		s.setFlash(w, r, "The store URL of %s is saved; aliscout reports it to AliExpress now.", cleanText(a.Nick))
	}
	seeOther(w, r, "/account#aliexpress")
}

func (s *Server) connectDisconnectPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	id, err := connectedID(r)
	if err == nil {
		err = s.cfg.Connections.Disconnect(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "The AliExpress account is disconnected and its tokens are deleted. "+
		"Its authorization stays valid at AliExpress until it ends; you can revoke it there.")
	seeOther(w, r, "/account#aliexpress")
}

// connectedJSON is a connected account in the API: never a token.
type connectedJSON struct {
	ID               int64      `json:"id"`
	UserNick         string     `json:"user_nick"`
	Account          string     `json:"account"`
	StoreURL         string     `json:"store_url"`
	IsDefault        bool       `json:"is_default"`
	AccessExpiresAt  *time.Time `json:"access_expires_at"`
	RefreshExpiresAt *time.Time `json:"refresh_expires_at"`
	NeedsReconnect   bool       `json:"needs_reconnect"`
	// Notice is how soon the user must connect the account again: "7d", "1d", "ended" or "".
	Notice        string     `json:"expiry_notice"`
	ReportState   string     `json:"report_state"`
	ReportMessage string     `json:"report_message"`
	ReportedAt    *time.Time `json:"reported_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

func newConnectedJSON(a ConnectedAccount, now time.Time) connectedJSON {
	return connectedJSON{ID: a.ID, UserNick: a.Nick, Account: a.Email, StoreURL: a.StoreURL, IsDefault: a.IsDefault,
		AccessExpiresAt: optTime(a.AccessExpiresAt), RefreshExpiresAt: optTime(a.RefreshExpiresAt),
		NeedsReconnect: a.NeedsReconnect, Notice: expiryNotice(a, now), ReportState: string(a.ReportState),
		ReportMessage: a.ReportMessage, ReportedAt: optTime(a.ReportedAt), CreatedAt: a.CreatedAt.UTC()}
}

// connectedListJSON is the answer of GET /api/aliexpress-accounts.
type connectedListJSON struct {
	Accounts    []connectedJSON `json:"accounts"`
	CallbackURL string          `json:"callback_url,omitempty"` // operators only
}

func (s *Server) apiConnectedAccounts(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	s.writeConnected(w, r, v)
}

// writeConnected answers with the user's accounts.
func (s *Server) writeConnected(w http.ResponseWriter, r *http.Request, v *viewer) {
	list, err := s.cfg.Connections.List(r.Context(), v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := connectedListJSON{Accounts: []connectedJSON{}}
	now := s.now()
	for _, a := range list {
		out.Accounts = append(out.Accounts, newConnectedJSON(a, now))
	}
	if v.Operator() {
		out.CallbackURL = s.cfg.Connections.CallbackURL()
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiConnectedDefault(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := connectedID(r)
	if err == nil {
		err = s.cfg.Connections.SetDefault(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.writeConnected(w, r, v)
}

// storeURLJSON is the body of PATCH /api/aliexpress-accounts/{id}.
type storeURLJSON struct {
	StoreURL *string `json:"store_url"`
}

func (s *Server) apiConnectedStoreURL(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := connectedID(r)
	var body storeURLJSON
	if err == nil {
		err = readJSON(w, r, &body)
	}
	if err == nil && body.StoreURL == nil {
		err = invalid("store_url", "give the store URL (\"\" removes it)")
	}
	var a ConnectedAccount
	if err == nil {
		a, err = s.cfg.Connections.SetStoreURL(r.Context(), v.User.ID, id, strings.TrimSpace(*body.StoreURL))
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	writeJSON(w, http.StatusOK, newConnectedJSON(a, s.now()))
}

func (s *Server) apiConnectedDisconnect(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	id, err := connectedID(r)
	if err == nil {
		err = s.cfg.Connections.Disconnect(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Expiry notice levels, as the notice jobs name them (store.Notice7Days, ...).
const (
	notice7Days = store.Notice7Days
	notice1Day  = store.Notice1Day
	noticeEnded = store.NoticeEnded
)

// expiryNotice says how soon a's user must connect it again: noticeEnded when its authorization
// has ended (or was found dead), notice1Day or notice7Days when its refresh token ends within a
// day or a week, "" otherwise. The platform does not renew a refresh token: only a new
// authorization gives a new one.
func expiryNotice(a ConnectedAccount, now time.Time) string {
	switch {
	case a.NeedsReconnect:
		return noticeEnded
	case a.RefreshExpiresAt.IsZero():
		return ""
	case !now.Before(a.RefreshExpiresAt):
		return noticeEnded
	case !now.Add(24 * time.Hour).Before(a.RefreshExpiresAt):
		return notice1Day
	case !now.Add(7 * 24 * time.Hour).Before(a.RefreshExpiresAt):
		return notice7Days
	}
	return ""
}

// connectedRow is a connected account as the pages show it.
type connectedRow struct {
	A      ConnectedAccount
	Nick   string // cleaned for layout
	Notice string // expiryNotice
	Left   string // how long until the refresh token ends, in words
}

// connectFrame is the connected-accounts part of every page for a signed-in user: the banner of
// accounts to connect again, and whether DS data comes from an account of theirs.
type connectFrame struct {
	Notices []connectedRow // the accounts that need connecting again soon, or now
	Usable  bool           // the user's default account can be used for DS calls
	Failed  bool           // the accounts could not be read: say nothing either way
}

// connectBase fills the connected-accounts part of a page's frame for v.
func (s *Server) connectBase(r *http.Request, b *base, v *viewer) {
	if !s.connections() || v == nil {
		return
	}
	list, err := s.cfg.Connections.List(r.Context(), v.User.ID)
	if err != nil {
		s.log.Error("connected accounts for the page frame", "path", logPath(r), "err", err)
		b.Connect = &connectFrame{Failed: true}
		return
	}
	f := &connectFrame{}
	for _, row := range s.connectedRows(list) {
		if row.Notice != "" {
			f.Notices = append(f.Notices, row)
		}
		if row.A.IsDefault && !row.A.NeedsReconnect && row.Notice != noticeEnded {
			f.Usable = true
		}
	}
	b.Connect = f
}

// connectedRows lays the accounts out for a page.
func (s *Server) connectedRows(list []ConnectedAccount) []connectedRow {
	now := s.now()
	rows := make([]connectedRow, 0, len(list))
	for _, a := range list {
		row := connectedRow{A: a, Nick: cleanText(a.Nick), Notice: expiryNotice(a, now)}
		if !a.RefreshExpiresAt.IsZero() && now.Before(a.RefreshExpiresAt) {
			row.Left = timeLeft(a.RefreshExpiresAt.Sub(now))
		}
		rows = append(rows, row)
	}
	return rows
}

// timeLeft says roughly how long d is: "3 days", "5 hours", "under an hour".
func timeLeft(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return formatCount(int(d/(24*time.Hour))) + " days"
	case d >= 2*time.Hour:
		return formatCount(int(d/time.Hour)) + " hours"
	case d >= time.Hour:
		return "an hour"
	}
	return "under an hour"
}

// connectSection is the "AliExpress accounts" section of the account page.
type connectSection struct {
	Accounts    []connectedRow
	CallbackURL string // for operators, to set in the App Console
}

// connectSectionOf reads what the account page shows of v's connected accounts.
func (s *Server) connectSectionOf(ctx context.Context, v *viewer) (*connectSection, error) {
	if !s.connections() {
		return nil, nil
	}
	list, err := s.cfg.Connections.List(ctx, v.User.ID)
	if err != nil {
		return nil, storeErr(err)
	}
	c := &connectSection{Accounts: s.connectedRows(list)}
	if v.Operator() {
		c.CallbackURL = s.cfg.Connections.CallbackURL()
	}
	return c, nil
}

// requestCatalog is the catalog one request reads products through, found once.
type requestCatalog struct {
	once sync.Once
	cat  Catalog
}

// withRequestCatalog gives r a place for the catalog it reads products through.
func withRequestCatalog(r *http.Request) *http.Request {
	if st := stateOf(r); st != nil {
		st.cat = &requestCatalog{}
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), requestStateKey{}, &requestState{cat: &requestCatalog{}}))
}

// catalogFor returns the catalog to read products through for r: one acting as the signed-in
// user's default connected account (DS data as their account sees it), or the server-wide
// catalog (with the server-wide DS token, if any) for everyone else and whenever the account
// cannot be used.
func (s *Server) catalogFor(r *http.Request) Catalog {
	v := viewerOf(r)
	if s.cfg.UserCatalog == nil || v == nil {
		return s.cat
	}
	var rc *requestCatalog
	if st := stateOf(r); st != nil {
		rc = st.cat
	}
	if rc == nil {
		return s.userCatalog(r, v)
	}
	rc.once.Do(func() { rc.cat = s.userCatalog(r, v) })
	return rc.cat
}

// catalogViewer names, for the encoded answers' keys, whose catalog catalogFor(r) may answer
// through: "" for the server-wide one, the signed-in user's id when the app reads through users'
// connected accounts (whose DS data is theirs alone).
func (s *Server) catalogViewer(r *http.Request) string {
	if v := viewerOf(r); v != nil && s.cfg.UserCatalog != nil {
		return strconv.FormatInt(v.User.ID, 10)
	}
	return ""
}

func (s *Server) userCatalog(r *http.Request, v *viewer) Catalog {
	cat, err := s.cfg.UserCatalog(r.Context(), v.User.ID)
	switch {
	case err == nil && cat != nil:
		return cat
	case err == nil, errors.Is(err, ErrNotConnected), errors.Is(err, ErrReconnect):
		// The banner tells a user whose account must be connected again.
	default:
		s.log.Error("the catalog of the user's AliExpress account", "path", logPath(r), "user_id", v.User.ID, "err", err)
	}
	return s.cat
}
