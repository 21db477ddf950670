package sandbox

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

var approveTmpl = template.Must(template.New("approve").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorize - AliExpress Open Platform sandbox</title>
<style>body{font-family:sans-serif;max-width:36em;margin:3em auto;padding:0 1em}button{padding:.5em 1.5em;margin-right:1em}</style>
</head><body>
<h1>Authorize an application</h1>
<p>The application with app key <code>{{.ClientID}}</code> asks to act for your AliExpress buyer account:
read products and prices for you, place and follow dropshipping orders.</p>
<p>After you answer, your browser returns to <code>{{.RedirectURI}}</code>.</p>
<form method="post" action="/oauth/authorize">
<input type="hidden" name="response_type" value="code">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
{{if .State}}<input type="hidden" name="state" value="{{.State}}">{{end}}
<p><label>Sign in as (buyer account) <input name="user_nick" value="{{.UserNick}}" maxlength="64" required></label></p>
<p><button type="submit" name="action" value="approve">Authorize</button>
<button type="submit" name="action" value="cancel">Cancel</button></p>
</form>
<p><small>This is the aliscout simulator of the AliExpress Open Platform, not AliExpress.</small></p>
</body></html>
`))

var errorTmpl = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Authorization error - AliExpress Open Platform sandbox</title></head>
<body><h1>Authorization error</h1><p>{{.}}</p></body></html>
`))

var homeTmpl = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AliExpress Open Platform sandbox</title>
<style>body{font-family:sans-serif;max-width:48em;margin:2em auto;padding:0 1em}code{background:#eee;padding:0 .2em}</style>
</head><body>
<h1>AliExpress Open Platform sandbox</h1>
<p>A local simulator of the AliExpress Open Platform gateway (<code>api-sg.aliexpress.com</code>) from aliscout.
Point a client at <code>{{.Base}}</code> instead of <code>https://api-sg.aliexpress.com</code>.</p>
<ul>
<li><code>GET|POST {{.Base}}/sync</code> &mdash; business APIs (Affiliate and Dropshipping), named by <code>method</code></li>
<li><code>POST {{.Base}}/rest/auth/token/create</code>, <code>/rest/auth/token/refresh</code> &mdash; OAuth tokens</li>
<li><code>GET {{.Base}}/oauth/authorize?response_type=code&amp;client_id={{.AppKey}}&amp;redirect_uri=...</code> &mdash; authorization page</li>
</ul>
<p>App key: <code>{{.AppKey}}</code>. Requests are signed as on the platform (sha256, md5 or hmac).
Products, prices, stock and shipping are generated and change from day to day; pictures are placeholders.</p>
<p>Some products: {{range .Samples}}<code>{{.}}</code> {{end}}</p>
</body></html>
`))

func writeHTML(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "sandbox: render page", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// authorizeRequest is what the authorization page is asked for.
type authorizeRequest struct {
	ClientID, RedirectURI, State, UserNick string
}

// validateAuthorize checks an authorization request; it returns a message for the error page.
func (s *Sandbox) validateAuthorize(v url.Values) (authorizeRequest, string) {
	req := authorizeRequest{
		ClientID:    v.Get("client_id"),
		RedirectURI: v.Get("redirect_uri"),
		State:       v.Get("state"),
		UserNick:    DefaultUserNick,
	}
	if rt := v.Get("response_type"); rt != "code" {
		return req, "The response_type must be code."
	}
	if req.ClientID == "" || req.ClientID != s.opts.AppKey {
		return req, "The client_id is not the app key of a known application."
	}
	u, err := url.Parse(req.RedirectURI)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return req, "The redirect_uri must be an absolute http or https URL."
	}
	if s.opts.CallbackURL != "" && !strings.HasPrefix(req.RedirectURI, s.opts.CallbackURL) {
		return req, "The redirect_uri does not match the callback URL registered for the application."
	}
	return req, ""
}

// serveAuthorize shows the page where a buyer approves an app.
func (s *Sandbox) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	req, problem := s.validateAuthorize(r.URL.Query())
	if problem != "" {
		writeHTML(w, http.StatusBadRequest, errorTmpl, problem)
		return
	}
	writeHTML(w, http.StatusOK, approveTmpl, req)
}

// serveApprove handles the answer on the authorization page: back to redirect_uri with a code (and
// the state it was given), or with error=access_denied.
func (s *Sandbox) serveApprove(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeHTML(w, http.StatusBadRequest, errorTmpl, "The form cannot be read.")
		return
	}
	req, problem := s.validateAuthorize(r.PostForm)
	if problem != "" {
		writeHTML(w, http.StatusBadRequest, errorTmpl, problem)
		return
	}
	u, _ := url.Parse(req.RedirectURI) // validated above
	q := u.Query()
	if r.PostForm.Get("action") == "approve" {
		nick := strings.TrimSpace(r.PostForm.Get("user_nick"))
		if nick == "" || len(nick) > 64 {
			nick = DefaultUserNick
		}
		q.Set("code", s.newCode(nick))
	} else {
		q.Set("error", "access_denied")
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// serveImage serves the catalog's placeholder pictures.
func (s *Sandbox) serveImage(w http.ResponseWriter, r *http.Request) {
	png, ok := s.cat.ImagePNG(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(png)
}

func (s *Sandbox) serveHome(w http.ResponseWriter, r *http.Request) {
	writeHTML(w, http.StatusOK, homeTmpl, struct {
		Base, AppKey string
		Samples      []int64
	}{baseURL(r), s.opts.AppKey, s.SampleProductIDs(5)})
}
