package web

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
)

// Limits of the account forms. They are generous; they keep junk from costing an argon2 hash or
// a database write.
const (
	maxAuthFormBytes = 16 << 10
	maxPasswordBytes = 1024
	maxTokenName     = 100 // characters
)

// accountRoutes registers sign-in, sign-up, invitations and the account page. They exist only
// when the app has accounts.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signinPost)
	mux.HandleFunc("GET /signup", s.signupPage)
	mux.HandleFunc("POST /signup", s.signupPost)
	mux.HandleFunc("GET /invite/{token}", s.invitePage)
	mux.HandleFunc("POST /invite/{token}", s.signupPost)
	mux.HandleFunc("POST /signout", s.signoutPost)

	mux.HandleFunc("GET /account", s.accountPage)
	mux.HandleFunc("POST /account/password", s.passwordPost)
	mux.HandleFunc("POST /account/sessions/others", s.signOutOthersPost)
	mux.HandleFunc("POST /account/sessions/{id}/end", s.endSessionPost)
	mux.HandleFunc("POST /account/tokens", s.createTokenPost)
	mux.HandleFunc("POST /account/tokens/{id}/revoke", s.revokeTokenPost)
	mux.HandleFunc("POST /account/invitations", s.invitePost)
	mux.HandleFunc("POST /account/invitations/{id}/revoke", s.revokeInvitationPost)
	mux.HandleFunc("GET /account/export", s.accountExport)

	mux.HandleFunc("GET /api/account", s.apiAccount)
	mux.HandleFunc("GET /api/account/export", s.accountExport)
}

// accountBase fills the account part of every page's frame: who is signed in, the flash message,
// and on the pages that offer it, the "Save to list" chooser.
func (s *Server) accountBase(r *http.Request, b *base) {
	if s.cfg.Accounts == nil {
		return
	}
	id := identityOf(r)
	b.Accounts, b.Me, b.Flash = true, id.v, id.flash
	s.connectBase(r, b, id.v)
	if id.v == nil || s.cfg.Store == nil {
		return
	}
	p := r.URL.Path
	if p != "/search" && p != "/import" && !strings.HasPrefix(p, "/products/") {
		return
	}
	lists, err := s.cfg.Store.Lists(r.Context(), id.v.User.ID)
	if err != nil {
		// The pages work without it: research does not need the database.
		s.log.Error("lists for the save form", "path", logPath(r), "err", err)
		return
	}
	b.Save = &saveForm{Lists: lists}
	if r.Method == http.MethodGet {
		b.Save.Next = r.URL.RequestURI()
	}
}

// authForm is the sign-in and sign-up pages.
type authForm struct {
	base
	Email     string
	Next      string
	Problem   *problem // why the last try failed, when not one field's fault
	ErrorList []*catalog.Error
	Errors    map[string]string
	// Sign-up only.
	First       bool // no account yet: this one becomes the operator
	Mode        accounts.SignUpMode
	Allowed     bool   // the sign-up form is shown
	Action      string // where the sign-up form posts
	InviteEmail string // the one address an invitation is for
	InviteRole  store.Role
}

// readForm parses a POSTed form of at most limit bytes; a larger one is errTooLarge.
func readForm(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return invalid("body", "the form could not be read")
	}
	return nil
}

// formProblem splits a refusal into the fields at fault and the rest, for showing on a form.
func formProblem(err error) (*problem, []*catalog.Error) {
	if fe := fieldErrors(err); len(fe) > 0 {
		return nil, fe
	}
	p := problemOf(err)
	if p.Field != "" && p.Status < 500 && p.Status != http.StatusTooManyRequests {
		return nil, []*catalog.Error{{Code: catalog.EInvalid, Field: p.Field, Message: p.Message}}
	}
	return &p, nil
}

// renderForm shows a form page again after err, with the status err is.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, page string, d *authForm, err error) {
	p := problemOf(err)
	s.logError(r, err, p)
	s.retryUntil(&p)
	p.setRetryAfter(w.Header())
	d.Problem, d.ErrorList = formProblem(err)
	if d.Problem != nil {
		d.Problem = &p
	}
	d.Errors = fieldMap(d.ErrorList)
	s.render(w, r, p.Status, page, d)
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	next := localNext(r.URL.Query().Get("next"))
	if viewerOf(r) != nil {
		seeOther(w, r, orHome(next))
		return
	}
	n, err := s.cfg.Store.CountUsers(r.Context())
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	if n == 0 {
		// A fresh instance: the first visitor creates the operator account.
		seeOther(w, r, "/signup"+strings.TrimPrefix(signinURL(next), "/signin"))
		return
	}
	d := &authForm{base: s.base(r, "Sign in", "signin"), Next: next, Mode: s.cfg.Accounts.Mode(), Errors: map[string]string{}}
	s.render(w, r, http.StatusOK, "signin", d)
}

func (s *Server) signinPost(w http.ResponseWriter, r *http.Request) {
	err := readForm(w, r, maxAuthFormBytes)
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	d := &authForm{base: s.base(r, "Sign in", "signin"), Email: email, Next: localNext(r.PostForm.Get("next")),
		Mode: s.cfg.Accounts.Mode()}
	if err == nil {
		err = checkCredentials(email, password)
	}
	if err != nil {
		s.renderForm(w, r, "signin", d, err)
		return
	}
	s.endOldSession(r)
	in, err := s.cfg.Accounts.SignIn(r.Context(), email, password, s.client(r))
	if err != nil {
		s.renderForm(w, r, "signin", d, storeErr(err))
		return
	}
	s.startSession(w, r, in)
	seeOther(w, r, orHome(d.Next))
}

// checkCredentials refuses what cannot be an email and password before any hashing.
func checkCredentials(email, password string) error {
	var errs []error
	switch {
	case email == "":
		errs = append(errs, invalid("email", "enter your email address"))
	case len(email) > store.MaxEmailLen || !strings.Contains(email, "@"):
		errs = append(errs, invalid("email", "enter an email address, like you@example.com"))
	}
	switch {
	case password == "":
		errs = append(errs, invalid("password", "enter your password"))
	case len(password) > maxPasswordBytes:
		errs = append(errs, invalid("password", "is longer than %d bytes", maxPasswordBytes))
	}
	return errors.Join(errs...)
}

// endOldSession ends the session a browser signing in again still has, so that a sign-in always
// starts a new session with a new token.
func (s *Server) endOldSession(r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.cfg.Accounts.SignOut(r.Context(), c.Value); err != nil {
			s.log.Warn("ending the previous session", "err", err)
		}
	}
}

// orHome is next, or the search page. Not "/": its redirect would use up the flash message
// meant for the page after it.
func orHome(next string) string {
	if next == "" || next == "/" {
		return "/search"
	}
	return next
}

func (s *Server) signupPage(w http.ResponseWriter, r *http.Request) {
	next := localNext(r.URL.Query().Get("next"))
	if viewerOf(r) != nil {
		seeOther(w, r, orHome(next))
		return
	}
	d, err := s.signupForm(r, "")
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Next = next
	s.render(w, r, http.StatusOK, "signup", d)
}

// signupForm lays out the sign-up page: for the first account, by the mode, or for the
// invitation with token. An invitation that cannot be used is an error.
func (s *Server) signupForm(r *http.Request, token string) (*authForm, error) {
	n, err := s.cfg.Store.CountUsers(r.Context())
	if err != nil {
		return nil, storeErr(err)
	}
	d := &authForm{base: s.base(r, "Create your account", "signup"), First: n == 0, Mode: s.cfg.Accounts.Mode(),
		Action: "/signup", Errors: map[string]string{}}
	d.Allowed = d.First || d.Mode == accounts.SignUpOpen
	if token != "" {
		inv, err := s.invitation(r.Context(), token)
		if err != nil {
			return nil, err
		}
		d.Allowed, d.Action, d.InviteEmail, d.InviteRole = true, "/invite/"+token, inv.Email, inv.Role
		d.Email = inv.Email
	}
	return d, nil
}

// invitation returns the usable invitation with token.
func (s *Server) invitation(ctx context.Context, token string) (store.Invitation, error) {
	if token == "" || len(token) > 100 {
		return store.Invitation{}, accounts.ErrInvitationInvalid
	}
	inv, err := s.cfg.Store.InvitationByTokenHash(ctx, accounts.HashToken(token))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Invitation{}, accounts.ErrInvitationInvalid
	case err != nil:
		return store.Invitation{}, storeErr(err)
	case !inv.Usable(s.now()):
		return store.Invitation{}, accounts.ErrInvitationInvalid
	}
	return inv, nil
}

func (s *Server) invitePage(w http.ResponseWriter, r *http.Request) {
	d, err := s.signupForm(r, r.PathValue("token"))
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "signup", d)
}

// signupPost creates an account from the sign-up page or an invitation link.
func (s *Server) signupPost(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	ferr := readForm(w, r, maxAuthFormBytes)
	d, err := s.signupForm(r, token)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d.Email, d.Next = strings.TrimSpace(r.PostForm.Get("email")), localNext(r.PostForm.Get("next"))
	if d.InviteEmail != "" && d.Email == "" {
		d.Email = d.InviteEmail
	}
	password := r.PostForm.Get("password")
	err = ferr
	if err == nil {
		err = checkCredentials(d.Email, password)
	}
	if err == nil && r.PostForm.Get("password_confirm") != password {
		err = invalid("password_confirm", "the two passwords differ")
	}
	if err != nil {
		s.renderForm(w, r, "signup", d, err)
		return
	}
	s.endOldSession(r)
	in, err := s.cfg.Accounts.SignUp(r.Context(), d.Email, password, token, s.client(r))
	if err != nil {
		s.renderForm(w, r, "signup", d, storeErr(err))
		return
	}
	s.startSession(w, r, in)
	if in.User.Role == store.RoleOperator && d.First {
		s.setFlash(w, r, "Welcome! You are this aliscout's operator: invite others from your account page.")
	} else {
		s.setFlash(w, r, "Welcome! Your account is ready.")
	}
	seeOther(w, r, orHome(d.Next))
}

func (s *Server) signoutPost(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := s.cfg.Accounts.SignOut(r.Context(), c.Value); err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
	}
	s.clearCookie(w, r, sessionCookie)
	s.setFlash(w, r, "You are signed out.")
	if s.cfg.OpenResearch {
		seeOther(w, r, "/search")
		return
	}
	seeOther(w, r, "/signin")
}

// sessionRow is one line of "your sessions".
type sessionRow struct {
	S       store.Session
	Current bool
}

// invitationRow is one invitation in the operator's list.
type invitationRow struct {
	Inv    store.Invitation
	Status string
}

// accountData is the account page.
type accountData struct {
	base
	User        store.User
	Sessions    []sessionRow
	Tokens      []store.APIToken
	Invitations []invitationRow
	NewToken    string // an API token just made, shown this once
	NewTokenFor string
	NewInvite   string // an invitation link just made, shown this once
	Problem     *problem
	ErrorList   []*catalog.Error
	Errors      map[string]string
	Form        map[string]string // what was typed, for the forms shown again
	Connected   *connectSection   // connected AliExpress accounts; nil when the app connects none
}

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	d, err := s.accountData(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "account", d)
}

// accountData reads what the account page shows.
func (s *Server) accountData(r *http.Request, v *viewer) (*accountData, error) {
	ctx := r.Context()
	d := &accountData{base: s.base(r, "Your account", "account"), User: v.User, Errors: map[string]string{}, Form: map[string]string{}}
	sessions, err := s.cfg.Accounts.Sessions(ctx, v.User.ID)
	if err != nil {
		return nil, storeErr(err)
	}
	for _, ss := range sessions {
		d.Sessions = append(d.Sessions, sessionRow{S: ss, Current: ss.ID == v.Session.ID})
	}
	if d.Tokens, err = s.cfg.Accounts.APITokens(ctx, v.User.ID); err != nil {
		return nil, storeErr(err)
	}
	if d.Connected, err = s.connectSectionOf(ctx, v); err != nil {
		return nil, err
	}
	if v.Operator() {
		invs, err := s.cfg.Accounts.Invitations(ctx)
		if err != nil {
			return nil, storeErr(err)
		}
		now := s.now()
		for _, inv := range invs {
			row := invitationRow{Inv: inv, Status: "open until " + formatTime(inv.ExpiresAt)}
			switch {
			case !inv.UsedAt.IsZero():
				row.Status = "used " + formatTime(inv.UsedAt)
			case !now.Before(inv.ExpiresAt):
				row.Status = "expired " + formatTime(inv.ExpiresAt)
			}
			d.Invitations = append(d.Invitations, row)
		}
	}
	return d, nil
}

// accountRefused shows the account page again with what went wrong in one of its forms.
func (s *Server) accountRefused(w http.ResponseWriter, r *http.Request, v *viewer, form map[string]string, err error) {
	p := problemOf(err)
	s.logError(r, err, p)
	d, derr := s.accountData(r, v)
	if derr != nil {
		s.failErr(w, r, derr)
		return
	}
	s.retryUntil(&p)
	p.setRetryAfter(w.Header())
	d.Form = form
	d.Problem, d.ErrorList = formProblem(err)
	if d.Problem != nil {
		d.Problem = &p
	}
	d.Errors = fieldMap(d.ErrorList)
	s.render(w, r, p.Status, "account", d)
}

// browserSession returns the viewer of a page form, which must come from a signed-in browser.
func (s *Server) browserSession(w http.ResponseWriter, r *http.Request, limit int64) (*viewer, bool) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return nil, false
	}
	if err := readForm(w, r, limit); err != nil {
		s.failErr(w, r, err)
		return nil, false
	}
	return v, true
}

func (s *Server) passwordPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	current, next := r.PostForm.Get("current_password"), r.PostForm.Get("new_password")
	var errs []error
	if current == "" {
		errs = append(errs, invalid("current_password", "enter your current password"))
	}
	switch {
	case next == "":
		errs = append(errs, invalid("new_password", "enter a new password"))
	case len(next) > maxPasswordBytes || len(current) > maxPasswordBytes:
		errs = append(errs, invalid("new_password", "is longer than %d bytes", maxPasswordBytes))
	case r.PostForm.Get("new_password_confirm") != next:
		errs = append(errs, invalid("new_password_confirm", "the two new passwords differ"))
	}
	err := errors.Join(errs...)
	if err == nil {
		err = s.cfg.Accounts.ChangePassword(r.Context(), v.User.ID, v.Session.ID, current, next)
		if errors.Is(err, accounts.ErrInvalidCredentials) {
			err = invalid("current_password", "is not your current password")
		} else if errors.Is(err, accounts.ErrWeakPassword) {
			err = invalid("new_password", "%s", strings.TrimPrefix(problemOf(err).Message, "The password "))
		}
	}
	if err != nil {
		s.accountRefused(w, r, v, nil, storeErr(err))
		return
	}
	s.setFlash(w, r, "Your password is changed, and every other session of yours is signed out.")
	seeOther(w, r, "/account")
}

func (s *Server) signOutOthersPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	n, err := s.cfg.Accounts.SignOutOthers(r.Context(), v.User.ID, v.Session.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "Signed out %d other %s.", n, plural(int(n), "session", "sessions"))
	seeOther(w, r, "/account")
}

func (s *Server) endSessionPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Accounts.EndSession(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	if id == v.Session.ID {
		s.clearCookie(w, r, sessionCookie)
		s.setFlash(w, r, "You are signed out.")
		seeOther(w, r, "/signin")
		return
	}
	s.setFlash(w, r, "That session is signed out.")
	seeOther(w, r, "/account")
}

// checkName refuses a name (of a list or an API token) that is empty, too long or has control
// characters.
func checkName(field, name string, limit int) error {
	switch {
	case strings.TrimSpace(name) == "":
		return invalid(field, "give a name")
	case utf8.RuneCountInString(name) > limit:
		return invalid(field, "is longer than %d characters", limit)
	case !utf8.ValidString(name) || cleanText(name) != name || strings.Contains(name, "\n"):
		return invalid(field, "has characters a name cannot have")
	}
	return nil
}

func (s *Server) createTokenPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	err := checkName("name", name, maxTokenName)
	var token string
	if err == nil {
		token, _, err = s.cfg.Accounts.CreateAPIToken(r.Context(), v.User.ID, name)
	}
	if err != nil {
		s.accountRefused(w, r, v, map[string]string{"name": name}, storeErr(err))
		return
	}
	d, err := s.accountData(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	// Shown this once, in this answer only: the store keeps a hash.
	d.NewToken, d.NewTokenFor = token, name
	s.render(w, r, http.StatusCreated, "account", d)
}

func (s *Server) revokeTokenPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Accounts.RevokeAPIToken(r.Context(), v.User.ID, id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "The API token is revoked: scripts using it are refused from now on.")
	seeOther(w, r, "/account")
}

func (s *Server) invitePost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	email, role := strings.TrimSpace(r.PostForm.Get("email")), store.Role(r.PostForm.Get("role"))
	var err error
	switch {
	case !v.Operator():
		err = accounts.ErrForbidden
	case !role.Valid():
		err = invalid("role", "choose member or operator")
	case len(email) > store.MaxEmailLen:
		err = invalid("email", "is longer than %d characters", store.MaxEmailLen)
	}
	var token string
	if err == nil {
		token, _, err = s.cfg.Accounts.Invite(r.Context(), v.User.ID, email, role)
	}
	if err != nil {
		if errors.Is(err, accounts.ErrForbidden) {
			s.failErr(w, r, err)
			return
		}
		s.accountRefused(w, r, v, map[string]string{"invite_email": email, "role": string(role)}, storeErr(err))
		return
	}
	d, err := s.accountData(r, v)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	scheme := "http"
	if s.secure(r) {
		scheme = "https"
	}
	d.NewInvite = scheme + "://" + r.Host + "/invite/" + token
	s.render(w, r, http.StatusCreated, "account", d)
}

func (s *Server) revokeInvitationPost(w http.ResponseWriter, r *http.Request) {
	v, ok := s.browserSession(w, r, maxAuthFormBytes)
	if !ok {
		return
	}
	if !v.Operator() {
		s.failErr(w, r, accounts.ErrForbidden)
		return
	}
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Accounts.RevokeInvitation(r.Context(), id)
	}
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.setFlash(w, r, "The invitation is revoked: its link no longer works.")
	seeOther(w, r, "/account")
}

// accountJSON is the signed-in user in the API.
type accountJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	CreatedAt time.Time `json:"created_at"`
	Via       string    `json:"via"` // "session" or "api_token"
}

func newAccountJSON(v *viewer) accountJSON {
	via := "session"
	if v.Token.ID != 0 {
		via = "api_token"
	}
	return accountJSON{ID: v.User.ID, Email: v.User.Email, Role: string(v.User.Role), CreatedAt: v.User.CreatedAt.UTC(), Via: via}
}

func (s *Server) apiAccount(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, newAccountJSON(v))
}

// tokenJSON is an API token's record in a data export: never the token or its hash.
type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// sessionJSON is a session's record in a data export: never its token or hash.
type sessionJSON struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
	ClientAddr string    `json:"client_addr"`
	Current    bool      `json:"current"`
}

// accountExportJSON is "download all my data".
type accountExportJSON struct {
	ExportedAt time.Time       `json:"exported_at"`
	User       accountJSON     `json:"user"`
	Lists      []listItemsJSON `json:"lists"`
	APITokens  []tokenJSON     `json:"api_tokens"`
	Sessions   []sessionJSON   `json:"sessions"`
	// AliExpressAccounts are the connected accounts, never their tokens; absent when the app
	// connects none.
	AliExpressAccounts []connectedJSON `json:"aliexpress_accounts,omitempty"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// accountExport answers GET /account/export (a download) and GET /api/account/export: everything
// aliscout keeps about the user, with no password hash and no token or token hash.
func (s *Server) accountExport(w http.ResponseWriter, r *http.Request) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	out := accountExportJSON{ExportedAt: s.now().UTC(), User: newAccountJSON(v), Lists: []listItemsJSON{},
		APITokens: []tokenJSON{}, Sessions: []sessionJSON{}}
	out.User.Via = ""
	lists, err := s.cfg.Store.Lists(ctx, v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	for _, l := range lists {
		items, err := s.cfg.Store.Items(ctx, v.User.ID, l.ID)
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		out.Lists = append(out.Lists, newListItemsJSON(l, items))
	}
	tokens, err := s.cfg.Accounts.APITokens(ctx, v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	for _, t := range tokens {
		out.APITokens = append(out.APITokens, tokenJSON{ID: t.ID, Name: t.Name, Hint: t.Hint, CreatedAt: t.CreatedAt.UTC(),
			LastUsedAt: optTime(t.LastUsedAt), RevokedAt: optTime(t.RevokedAt)})
	}
	sessions, err := s.cfg.Accounts.Sessions(ctx, v.User.ID)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	for _, ss := range sessions {
		out.Sessions = append(out.Sessions, sessionJSON{ID: ss.ID, CreatedAt: ss.CreatedAt.UTC(), LastSeenAt: ss.LastSeenAt.UTC(),
			ExpiresAt: ss.ExpiresAt.UTC(), UserAgent: ss.UserAgent, ClientAddr: ss.ClientAddr, Current: ss.ID == v.Session.ID})
	}
	if s.connections() {
		list, err := s.cfg.Connections.List(ctx, v.User.ID)
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		out.AliExpressAccounts = []connectedJSON{}
		for _, a := range list {
			out.AliExpressAccounts = append(out.AliExpressAccounts, newConnectedJSON(a, s.now()))
		}
	}
	if !isAPI(r) {
		w.Header().Set("Content-Disposition", `attachment; filename="aliscout-my-data-`+s.now().UTC().Format("20060102")+`.json"`)
	}
	writeJSON(w, http.StatusOK, out)
}

// plural picks the word for n.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
