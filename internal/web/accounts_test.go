package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/store"
)

func TestSignUpFirstIsOperator(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Mode: accounts.SignUpInvite})
	b := e.browser("Firefox")
	// A fresh store: signing in sends the first visitor to create the operator account.
	w := b.get("/signin?next=/lists")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signup?next=%2Flists" {
		t.Fatalf("GET /signin on a fresh store = %d to %q; want 303 to /signup", w.Code, w.Header().Get("Location"))
	}
	w = b.follow(w)
	pt := checkHTML(t, w.Body.String())
	if w.Code != 200 || !pt.hasText("Create the operator account") || !pt.hasText("operator") {
		t.Fatalf("GET /signup on a fresh store = %d; want the operator sign-up\n%s", w.Code, w.Body.String())
	}
	// The passwords must agree, and be long enough.
	w = b.post("/signup", url.Values{"email": {"op@example.com"}, "password": {"short"}, "password_confirm": {"short"}})
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("at least 8 characters") {
		t.Errorf("POST /signup with a short password = %d; want 400 saying how long", w.Code)
	}
	w = b.post("/signup", url.Values{"email": {"op@example.com"}, "password": {"long enough 1"}, "password_confirm": {"long enough 2"}})
	if w.Code != 400 || !checkHTML(t, w.Body.String()).hasText("password_confirm") {
		t.Errorf("POST /signup with two passwords = %d; want 400 naming password_confirm", w.Code)
	}
	w = b.post("/signup", url.Values{"email": {"op@example.com"}, "password": {"password-op@example.com"},
		"password_confirm": {"password-op@example.com"}, "next": {"/lists"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/lists" {
		t.Fatalf("POST /signup = %d to %q; want 303 to /lists\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	c := b.cookies[sessionCookie]
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Errorf("session cookie = %+v; want HttpOnly, SameSite=Lax, Path=/, not Secure over http", c)
	}
	w = b.get("/account")
	pt = checkHTML(t, w.Body.String())
	if w.Code != 200 || !pt.hasText("op@example.com") || !pt.hasText("operator") || !pt.hasText("Invitations") {
		t.Errorf("GET /account = %d; want the operator's page", w.Code)
	}
	if !pt.hasText("Welcome! You are this aliscout's operator") {
		t.Error("the first page after sign-up does not welcome the operator")
	}
	// The next visitor is not the first: invite mode wants an invitation.
	other := e.browser("Chrome")
	w = other.get("/signup")
	if pt := checkHTML(t, w.Body.String()); w.Code != 200 || !pt.hasText("by invitation") || pt.hasText("Create the operator account") {
		t.Errorf("GET /signup after the first = %d; want the invitation note", w.Code)
	}
	w = other.post("/signup", url.Values{"email": {"x@example.com"}, "password": {"password-x"}, "password_confirm": {"password-x"}})
	if w.Code != http.StatusForbidden || !checkHTML(t, w.Body.String()).hasText("invitation") {
		t.Errorf("POST /signup without an invitation = %d; want 403", w.Code)
	}
}

func TestSessionCookieSecure(t *testing.T) {
	for _, c := range []struct {
		name   string
		cfg    Config
		header string
		want   bool
	}{
		{"SecureCookies", Config{SecureCookies: true}, "", true},
		{"trusted proxy says https", Config{TrustProxy: true}, "https", true},
		{"untrusted X-Forwarded-Proto", Config{}, "https", false},
		{"plain http", Config{}, "", false},
	} {
		e := newAcctEnv(t, acctSetup{Config: c.cfg})
		b := e.browser("Firefox")
		r := newFormRequest("/signup", url.Values{"email": {"a@example.com"}, "password": {"password-a"}, "password_confirm": {"password-a"}})
		if c.header != "" {
			r.Header.Set("X-Forwarded-Proto", c.header)
		}
		b.do(r)
		if got := b.cookies[sessionCookie]; got == nil || got.Secure != c.want {
			t.Errorf("%s: session cookie %+v; want Secure=%v", c.name, got, c.want)
		}
	}
}

func TestInvitations(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Mode: accounts.SignUpInvite})
	op := e.browser("Firefox")
	op.signUp("op@example.com")
	w := op.post("/account/invitations", url.Values{"role": {"member"}})
	if w.Code != http.StatusCreated {
		t.Fatalf("POST /account/invitations = %d\n%s", w.Code, w.Body.String())
	}
	link := regexp.MustCompile(`http://example\.com/invite/[A-Za-z0-9_-]+`).FindString(w.Body.String())
	if link == "" {
		t.Fatal("the invitation link is not on the page")
	}
	path := strings.TrimPrefix(link, "http://example.com")
	if w := op.get("/account"); strings.Contains(w.Body.String(), path) {
		t.Error("the account page shows the invitation link again")
	}

	guest := e.browser("Chrome")
	w = guest.get(path)
	if pt := checkHTML(t, w.Body.String()); w.Code != 200 || !pt.hasText("invited") {
		t.Fatalf("GET %s = %d; want the invitation's sign-up", "/invite/…", w.Code)
	}
	w = guest.post(path, url.Values{"email": {"guest@example.com"}, "password": {"password-guest"}, "password_confirm": {"password-guest"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST the invitation = %d\n%s", w.Code, w.Body.String())
	}
	if w := guest.api("GET", "/api/account", ""); !strings.Contains(w.Body.String(), `"role":"member"`) {
		t.Errorf("GET /api/account of the invited = %s; want a member", w.Body.String())
	}
	// A used link is refused.
	third := e.browser("Safari")
	if w := third.get(path); w.Code != http.StatusForbidden {
		t.Errorf("GET a used invitation = %d; want 403", w.Code)
	}
	w = third.post(path, url.Values{"email": {"third@example.com"}, "password": {"password-third"}, "password_confirm": {"password-third"}})
	if w.Code != http.StatusForbidden {
		t.Errorf("POST a used invitation = %d; want 403", w.Code)
	}
	// An invitation for one address refuses another.
	w = op.post("/account/invitations", url.Values{"role": {"operator"}, "email": {"boss@example.com"}})
	path = strings.TrimPrefix(regexp.MustCompile(`http://example\.com/invite/[A-Za-z0-9_-]+`).FindString(w.Body.String()), "http://example.com")
	w = third.post(path, url.Values{"email": {"third@example.com"}, "password": {"password-third"}, "password_confirm": {"password-third"}})
	if w.Code != http.StatusForbidden {
		t.Errorf("POST an invitation for another address = %d; want 403", w.Code)
	}
	// Members cannot invite; operators can revoke.
	if w := guest.post("/account/invitations", url.Values{"role": {"member"}}); w.Code != http.StatusForbidden {
		t.Errorf("a member's POST /account/invitations = %d; want 403", w.Code)
	}
	invs, err := e.db.Invitations(t.Context())
	if err != nil || len(invs) != 2 {
		t.Fatalf("invitations: %v, %v", invs, err)
	}
	if w := guest.post("/account/invitations/"+strconv.FormatInt(invs[0].ID, 10)+"/revoke", nil); w.Code != http.StatusForbidden {
		t.Errorf("a member revoking an invitation = %d; want 403", w.Code)
	}
	if w := op.post("/account/invitations/"+strconv.FormatInt(invs[0].ID, 10)+"/revoke", nil); w.Code != http.StatusSeeOther {
		t.Errorf("the operator revoking an invitation = %d; want 303", w.Code)
	}
	if w := third.get(path); w.Code != http.StatusForbidden {
		t.Errorf("GET a revoked invitation = %d; want 403", w.Code)
	}
	if w := op.post("/account/invitations/999/revoke", nil); w.Code != http.StatusNotFound {
		t.Errorf("revoking an unknown invitation = %d; want 404", w.Code)
	}
	if strings.Contains(e.logs.String(), path) {
		t.Error("an invitation link is in the log")
	}
}

func TestSignUpClosed(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Mode: accounts.SignUpClosed})
	e.browser("Firefox").signUp("op@example.com") // the first account, whatever the mode
	b := e.browser("Chrome")
	if w := b.get("/signup"); !checkHTML(t, w.Body.String()).hasText("takes no new sign-ups") {
		t.Errorf("GET /signup on a closed instance lacks the note")
	}
	w := b.post("/signup", url.Values{"email": {"x@example.com"}, "password": {"password-x"}, "password_confirm": {"password-x"}})
	if w.Code != http.StatusForbidden {
		t.Errorf("POST /signup on a closed instance = %d; want 403", w.Code)
	}
}

func TestSignInAndOut(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	e.browser("Firefox").signUp("ann@example.com")
	b := e.browser("Chrome")
	wrong := b.post("/signin", url.Values{"email": {"ann@example.com"}, "password": {"not her password"}})
	unknown := b.post("/signin", url.Values{"email": {"nobody@example.com"}, "password": {"not her password"}})
	for _, w := range []int{wrong.Code, unknown.Code} {
		if w != http.StatusUnauthorized {
			t.Errorf("a failed sign-in = %d; want 401", w)
		}
	}
	msg := func(body string) string {
		return regexp.MustCompile(`(?s)id="auth-problem">\s*<p>(.*?)</p>`).FindStringSubmatch(body)[1]
	}
	if m1, m2 := msg(wrong.Body.String()), msg(unknown.Body.String()); m1 != m2 || !strings.Contains(m1, "email or the password is wrong") {
		t.Errorf("failed sign-in messages %q and %q; want the same, naming neither", m1, m2)
	}
	if w := b.post("/signin", url.Values{"email": {""}, "password": {""}}); w.Code != 400 ||
		!checkHTML(t, w.Body.String()).hasText("enter your email") {
		t.Errorf("POST /signin empty = %d; want 400 naming the fields", w.Code)
	}
	w := b.post("/signin", url.Values{"email": {"Ann@Example.com"}, "password": {"password-ann@example.com"}, "next": {"https://evil.example/"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/search" {
		t.Fatalf("POST /signin = %d to %q; want 303 to /search (not to another site)", w.Code, w.Header().Get("Location"))
	}
	token := b.cookies[sessionCookie].Value
	if w := b.get("/lists"); w.Code != 200 {
		t.Fatalf("GET /lists signed in = %d", w.Code)
	}
	if w := b.post("/signout", nil); w.Code != http.StatusSeeOther || b.cookies[sessionCookie] != nil {
		t.Fatalf("POST /signout = %d; want 303 and the cookie gone", w.Code)
	}
	// The old cookie no longer works: the session ended on the server.
	b.cookies[sessionCookie] = &http.Cookie{Name: sessionCookie, Value: token}
	if w := b.get("/lists"); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/signin") {
		t.Errorf("GET /lists with the ended session = %d to %q; want a redirect to /signin", w.Code, w.Header().Get("Location"))
	}
	if strings.Contains(e.logs.String(), token) || strings.Contains(e.logs.String(), "password-ann") {
		t.Error("a session token or password is in the log")
	}
}

func TestSignInThrottled(t *testing.T) {
	e := newAcctEnv(t, acctSetup{Account: accounts.Config{AccountLimit: accounts.Limit{Failures: 3, Window: 15 * time.Minute, Lockout: 15 * time.Minute}}})
	e.browser("Firefox").signUp("ann@example.com")
	for _, email := range []string{"ann@example.com", "nobody@example.com"} {
		b := e.browser("Chrome")
		for i := 0; i < 2; i++ {
			if w := b.post("/signin", url.Values{"email": {email}, "password": {"guess"}}); w.Code != http.StatusUnauthorized {
				t.Fatalf("failed sign-in %d for %s = %d; want 401", i+1, email, w.Code)
			}
		}
		w := b.post("/signin", url.Values{"email": {email}, "password": {"guess"}})
		if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "900" {
			t.Errorf("third failed sign-in for %s = %d, Retry-After %q; want 429, 900", email, w.Code, w.Header().Get("Retry-After"))
		}
		if pt := checkHTML(t, w.Body.String()); !pt.hasText("Too many failed sign-ins") || !pt.hasText("Try again after 14 Mar 2025, 09:41 UTC") {
			t.Errorf("the throttled page does not say when to try again:\n%s", w.Body.String())
		}
	}
	// Even the right password waits out the lockout, and then works.
	b := e.browser("Chrome")
	e.advance(5 * time.Minute)
	if w := b.signIn("ann@example.com"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "600" {
		t.Errorf("the right password while locked = %d, Retry-After %q; want 429, 600", w.Code, w.Header().Get("Retry-After"))
	}
	e.advance(11 * time.Minute)
	if w := b.signIn("ann@example.com"); w.Code != http.StatusSeeOther {
		t.Errorf("the right password after the lockout = %d; want 303", w.Code)
	}
}

func TestSessionsAndSignOutElsewhere(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	a := e.browser("Firefox on the laptop")
	a.signUp("ann@example.com")
	b := e.browser("Chrome on the phone")
	b.signIn("ann@example.com")
	w := a.get("/account")
	pt := checkHTML(t, w.Body.String())
	if !pt.hasText("Firefox on the laptop") || !pt.hasText("Chrome on the phone") || !pt.hasText("this browser") {
		t.Errorf("the sessions list lacks a browser:\n%s", w.Body.String())
	}
	w = a.post("/account/sessions/others", nil)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST /account/sessions/others = %d", w.Code)
	}
	if w := a.follow(w); !checkHTML(t, w.Body.String()).hasText("Signed out 1 other session") {
		t.Error("the account page does not say how many sessions were signed out")
	}
	if w := b.get("/account"); w.Code != http.StatusSeeOther {
		t.Errorf("the other browser after sign out elsewhere = %d; want a redirect to sign in", w.Code)
	}
	if w := a.get("/account"); w.Code != 200 {
		t.Errorf("this browser after sign out elsewhere = %d; want 200", w.Code)
	}
	// Ending one session by id; another user's session id is not found.
	b.signIn("ann@example.com")
	ann, _ := e.db.UserByEmail(t.Context(), "ann@example.com")
	sessions, _ := e.db.Sessions(t.Context(), ann.ID)
	bob := e.browser("Bob's browser")
	bob.signUp("bob@example.com")
	for _, ss := range sessions {
		if w := bob.post("/account/sessions/"+strconv.FormatInt(ss.ID, 10)+"/end", nil); w.Code != http.StatusNotFound {
			t.Errorf("Bob ending Ann's session = %d; want 404", w.Code)
		}
	}
	if w := a.get("/account"); w.Code != 200 {
		t.Error("Ann's session ended by Bob's request")
	}
	for _, id := range []string{"abc", "0", "-1", "99999999999999999999"} {
		if w := a.post("/account/sessions/"+id+"/end", nil); w.Code != http.StatusNotFound {
			t.Errorf("ending session %q = %d; want 404", id, w.Code)
		}
	}
	var phone store.Session
	for _, ss := range sessions {
		if ss.UserAgent == "Chrome on the phone" {
			phone = ss
		}
	}
	if w := a.post("/account/sessions/"+strconv.FormatInt(phone.ID, 10)+"/end", nil); w.Code != http.StatusSeeOther {
		t.Errorf("ending the phone's session = %d; want 303", w.Code)
	}
	if w := b.get("/account"); w.Code != http.StatusSeeOther {
		t.Errorf("the phone after its session ended = %d; want a redirect", w.Code)
	}
}

func TestChangePasswordEndsOtherSessions(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	a := e.browser("Firefox")
	a.signUp("ann@example.com")
	b := e.browser("Chrome")
	b.signIn("ann@example.com")
	w := a.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"a new password"}, "new_password_confirm": {"a new password"}})
	if pt := checkHTML(t, w.Body.String()); w.Code != 400 || !pt.hasText("current_password") {
		t.Errorf("a wrong current password = %d; want 400 naming current_password", w.Code)
	}
	w = a.post("/account/password", url.Values{"current_password": {"password-ann@example.com"}, "new_password": {"short"}, "new_password_confirm": {"short"}})
	if pt := checkHTML(t, w.Body.String()); w.Code != 400 || !pt.hasText("new_password") || !pt.hasText("at least 8 characters") {
		t.Errorf("a short new password = %d; want 400 naming new_password", w.Code)
	}
	w = a.post("/account/password", url.Values{"current_password": {"password-ann@example.com"}, "new_password": {"a new password"}, "new_password_confirm": {"a new password"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST /account/password = %d\n%s", w.Code, w.Body.String())
	}
	if w := a.get("/account"); w.Code != 200 {
		t.Errorf("this browser after the change = %d; want 200", w.Code)
	}
	if w := b.get("/account"); w.Code != http.StatusSeeOther {
		t.Errorf("the other browser after the change = %d; want a redirect", w.Code)
	}
	c := e.browser("Safari")
	if w := c.signIn("ann@example.com"); w.Code != http.StatusUnauthorized {
		t.Errorf("the old password = %d; want 401", w.Code)
	}
	if w := c.post("/signin", url.Values{"email": {"ann@example.com"}, "password": {"a new password"}}); w.Code != http.StatusSeeOther {
		t.Errorf("the new password = %d; want 303", w.Code)
	}
}

func TestAPITokens(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	b := e.browser("Firefox")
	b.signUp("ann@example.com")
	tok := b.createToken("price script")
	if w := b.get("/account"); strings.Contains(w.Body.String(), tok) {
		t.Error("the account page shows the token again")
	} else if !checkHTML(t, w.Body.String()).hasText("price script") {
		t.Error("the account page does not list the token")
	}
	if w := b.post("/account/tokens", url.Values{"name": {"price script"}}); w.Code != http.StatusConflict {
		t.Errorf("a second token of the same name = %d; want 409", w.Code)
	}
	if w := b.post("/account/tokens", url.Values{"name": {""}}); w.Code != http.StatusBadRequest {
		t.Errorf("a token without a name = %d; want 400", w.Code)
	}
	// The token is all a script needs: no cookie, no Origin, POST included.
	w := e.api("GET", "/api/account", tok, "")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"via":"api_token"`) {
		t.Fatalf("GET /api/account with the token = %d %s", w.Code, w.Body.String())
	}
	if w := e.api("POST", "/api/lists", tok, `{"name": "From a script"}`); w.Code != http.StatusCreated {
		t.Errorf("POST /api/lists with the token = %d %s; want 201", w.Code, w.Body.String())
	}
	r := newJSONRequest("POST", "/api/lists", `{"name": "From another site"}`)
	r.Header.Set("Authorization", "Bearer "+tok)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if w := e.do(r); w.Code != http.StatusCreated {
		t.Errorf("a cross-site POST with a bearer token = %d; want 201 (a token is not ambient)", w.Code)
	}
	// A token counts for the API only.
	if w := e.api("GET", "/lists", tok, ""); w.Code != http.StatusSeeOther {
		t.Errorf("GET /lists with a token and no cookie = %d; want a redirect to sign in", w.Code)
	}
	// Its use shows on the account page.
	if page := b.get("/account").Body.String(); strings.Contains(page, `<span class="muted">never</span>`) {
		t.Error("the token's last use is not shown")
	}
	tokens, _ := e.svc.APITokens(t.Context(), 1)
	if w := b.post("/account/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("revoking the token = %d", w.Code)
	}
	if w := e.api("GET", "/api/lists", tok, ""); w.Code != http.StatusUnauthorized || w.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("GET /api/lists with a revoked token = %d; want 401 with WWW-Authenticate", w.Code)
	} else if code, _, _ := jsonError(t, w); code != codeUnauthenticated {
		t.Errorf("revoked token code = %q", code)
	}
	if w := e.api("GET", "/api/lists", "as_junk", ""); w.Code != http.StatusUnauthorized {
		t.Errorf("a junk token = %d; want 401", w.Code)
	}
	// Another user cannot revoke Ann's token.
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")
	bobTok := bob.createToken("bob's")
	if w := b.post("/account/tokens/2/revoke", nil); w.Code != http.StatusNotFound {
		t.Errorf("Ann revoking Bob's token = %d; want 404", w.Code)
	}
	if w := e.api("GET", "/api/lists", bobTok, ""); w.Code != 200 {
		t.Errorf("Bob's token after Ann's try = %d; want 200", w.Code)
	}
	if strings.Contains(e.logs.String(), tok) || strings.Contains(e.logs.String(), bobTok) {
		t.Error("an API token is in the log")
	}
}

func TestResearchOpenOrNot(t *testing.T) {
	closed := newAcctEnv(t, acctSetup{Config: Config{MetricsOpen: true, MetricsHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("metrics\n"))
	})}})
	anon := closed.browser("curl")
	w := anon.get("/search?q=holder")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signin?next=%2Fsearch%3Fq%3Dholder" {
		t.Errorf("closed research: GET /search = %d to %q; want 303 to /signin?next=...", w.Code, w.Header().Get("Location"))
	}
	for _, target := range []string{"/api/search?q=holder", "/api/products/1005000000000001", "/api/lists", "/api/health"} {
		w := anon.get(target)
		if w.Code != http.StatusUnauthorized {
			t.Errorf("closed research: GET %s = %d; want 401", target, w.Code)
			continue
		}
		if code, _, _ := jsonError(t, w); code != codeUnauthenticated {
			t.Errorf("closed research: GET %s code %q", target, code)
		}
	}
	css, _ := closed.srv.static.url("app.css")
	for _, target := range []string{"/healthz", "/metrics", "/signup", css} {
		if w := anon.get(target); w.Code != 200 {
			t.Errorf("closed research: GET %s = %d; want 200", target, w.Code)
		}
	}
	anon.signUp("ann@example.com")
	if w := anon.get("/search?q=holder"); w.Code != 200 {
		t.Errorf("closed research, signed in: GET /search = %d; want 200", w.Code)
	}

	open := newAcctEnv(t, acctSetup{Config: Config{OpenResearch: true, MetricsHandler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})}})
	anon = open.browser("curl")
	for _, target := range []string{"/search?q=holder", "/api/search?q=holder", "/products/1005000000000001", "/import"} {
		if w := anon.get(target); w.Code != 200 {
			t.Errorf("open research: GET %s = %d; want 200", target, w.Code)
		}
	}
	if w := anon.get("/lists"); w.Code != http.StatusSeeOther {
		t.Errorf("open research: GET /lists = %d; want a redirect to sign in", w.Code)
	}
	if w := anon.get("/api/lists"); w.Code != http.StatusUnauthorized {
		t.Errorf("open research: GET /api/lists = %d; want 401", w.Code)
	}
	if w := anon.get("/metrics"); w.Code != http.StatusUnauthorized {
		t.Errorf("closed metrics: GET /metrics = %d; want 401", w.Code)
	}
	if w := anon.get("/search"); checkHTML(t, w.Body.String()).hasText("Lists") {
		t.Error("the nav shows Lists to a visitor who is not signed in")
	}
	// Metrics are an operator's; a token serves scrapers.
	anon.signUp("op@example.com")
	opTok := anon.createToken("prometheus")
	member := open.browser("Chrome")
	member.signUp("member@example.com")
	memberTok := member.createToken("script")
	if w := open.api("GET", "/metrics", opTok, ""); w.Code != 200 {
		t.Errorf("GET /metrics with an operator's token = %d; want 200", w.Code)
	}
	if w := open.api("GET", "/metrics", memberTok, ""); w.Code != http.StatusForbidden {
		t.Errorf("GET /metrics with a member's token = %d; want 403", w.Code)
	}
	if w := closed.api("GET", "/api/search?q=holder", tokenFor(t, closed, "ann@example.com"), ""); w.Code != 200 {
		t.Errorf("closed research: GET /api/search with a token = %d; want 200", w.Code)
	}
}

func TestNoAccountsMeansNoListRoutes(t *testing.T) {
	e := newEnv(t, Config{})
	for _, target := range []string{"/lists", "/lists/1", "/account", "/signin", "/api/lists", "/api/account"} {
		if w := e.get(target); w.Code != http.StatusNotFound {
			t.Errorf("without accounts: GET %s = %d; want 404", target, w.Code)
		}
	}
	if pt := checkHTML(t, e.get("/search").Body.String()); pt.hasText("Sign in") {
		t.Error("without accounts the page offers to sign in")
	}
}

func TestCrossSitePostsRefusedWithCookie(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	b := e.browser("Firefox")
	b.signUp("ann@example.com")
	for _, c := range []struct{ target, ct, body string }{
		{"/signout", "application/x-www-form-urlencoded", ""},
		{"/lists", "application/x-www-form-urlencoded", "name=Evil"},
		{"/lists/save", "application/x-www-form-urlencoded", "ids=1005000000000001"},
		{"/account/tokens", "application/x-www-form-urlencoded", "name=evil"},
		{"/api/lists", "application/json", `{"name": "Evil"}`},
	} {
		for _, h := range [][2]string{{"Sec-Fetch-Site", "cross-site"}, {"Origin", "https://evil.example"}} {
			r := newRequest("POST", c.target, c.body)
			r.Header.Set("Content-Type", c.ct)
			r.Header.Set(h[0], h[1])
			if w := b.do(r); w.Code != http.StatusForbidden {
				t.Errorf("cross-site POST %s (%s) with the cookie = %d; want 403", c.target, h[0], w.Code)
			}
		}
	}
	if w := b.get("/lists"); w.Code != 200 || checkHTML(t, w.Body.String()).hasText("Evil") {
		t.Errorf("after the cross-site posts: GET /lists = %d, or a list was made", w.Code)
	}
}

func TestAccountExport(t *testing.T) {
	e := newAcctEnv(t, acctSetup{})
	b := e.browser("Firefox")
	b.signUp("ann@example.com")
	tok := b.createToken("script")
	w := b.api("POST", "/api/lists", `{"name": "Keep"}`)
	id := int64(decodeJSON(t, w)["id"].(float64))
	b.api("POST", "/api/lists/"+strconv.FormatInt(id, 10)+"/items", `{"product_id": 1005000000000001, "note": "gift idea"}`)
	w = b.get("/account/export")
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("GET /account/export = %d %q", w.Code, w.Header().Get("Content-Disposition"))
	}
	m := decodeJSON(t, w)
	user := m["user"].(map[string]any)
	lists := m["lists"].([]any)
	if user["email"] != "ann@example.com" || len(lists) != 1 || len(m["api_tokens"].([]any)) != 1 || len(m["sessions"].([]any)) != 1 {
		t.Errorf("export = %s", w.Body.String())
	}
	items := lists[0].(map[string]any)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["note"] != "gift idea" {
		t.Errorf("exported items = %v", items)
	}
	text := w.Body.String()
	for _, secret := range []string{tok, b.cookies[sessionCookie].Value, "argon2", "hash", "password"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(secret)) {
			t.Errorf("the data export holds %q", secret)
		}
	}
	if w := e.api("GET", "/api/account/export", tok, ""); w.Code != 200 || w.Header().Get("Content-Disposition") != "" {
		t.Errorf("GET /api/account/export with a token = %d", w.Code)
	}
}

// tokenFor makes an API token for the user with email, as the command line would.
func tokenFor(t *testing.T, e *acctEnv, email string) string {
	t.Helper()
	u, err := e.db.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := e.svc.CreateAPIToken(t.Context(), u.ID, "test "+strconv.FormatInt(time.Now().UnixNano(), 10))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
