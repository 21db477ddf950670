package web

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// lockedBuffer is a log sink that tests may read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type testEnv struct {
	fc   *fakeCatalog
	srv  *Server
	h    http.Handler
	logs *lockedBuffer
}

func newEnv(t *testing.T, cfg Config) *testEnv {
	t.Helper()
	fc := newFakeCatalog(nil)
	logs := &lockedBuffer{}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	if cfg.AllowedHosts == nil {
		cfg.AllowedHosts = []string{"example.com"} // httptest.NewRequest's host
	}
	srv := New(cfg, fc)
	return &testEnv{fc: fc, srv: srv, h: srv.Handler(), logs: logs}
}

// get serves a GET request for target.
func (e *testEnv) get(target string) *httptest.ResponseRecorder {
	return e.do(httptest.NewRequest(http.MethodGet, target, nil))
}

// postForm serves a same-origin form POST.
func (e *testEnv) postForm(target string, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	return e.do(r)
}

func (e *testEnv) do(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// decodeJSON decodes the body of w into a generic map.
func decodeJSON(t *testing.T, w *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q; want application/json", ct)
	}
	var m map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, w.Body.String())
	}
	return m
}

// jsonError returns the code and field of a JSON error answer.
func jsonError(t *testing.T, w *httptest.ResponseRecorder) (code, field, message string) {
	t.Helper()
	m := decodeJSON(t, w)
	e, ok := m["error"].(map[string]any)
	if !ok {
		t.Fatalf("no error object in %s", w.Body.String())
	}
	code, _ = e["code"].(string)
	field, _ = e["field"].(string)
	message, _ = e["message"].(string)
	return code, field, message
}

var attrNameRe = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// pageText is what a page says: its text and attribute values, decoded.
type pageText struct {
	text  []string
	attrs []html.Attribute
}

func (p pageText) hasText(s string) bool {
	for _, t := range p.text {
		if strings.Contains(t, s) {
			return true
		}
	}
	return false
}

func (p pageText) hasAttr(s string) bool {
	for _, a := range p.attrs {
		if strings.Contains(a.Val, s) {
			return true
		}
	}
	return false
}

// checkHTML parses a page with the tokenizer a browser uses and fails on anything that text from
// AliExpress could have injected: a script that is not the app's own, an event-handler attribute,
// an attribute name no template writes, a link or image that is not http(s) or the app's own.
func checkHTML(t *testing.T, body string) pageText {
	t.Helper()
	var pt pageText
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if z.Err() != io.EOF {
				t.Fatalf("tokenizer: %v", z.Err())
			}
			return pt
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			pt.text = append(pt.text, tok.Data)
		case html.StartTagToken, html.SelfClosingTagToken:
			if tok.Data == "script" {
				src := attr(tok, "src")
				if !strings.HasPrefix(src, "/static/app.") {
					t.Errorf("page has a script that is not the app's: %s", tok.String())
				}
			}
			switch tok.Data {
			case "iframe", "object", "embed", "style", "base", "meta":
				if tok.Data != "meta" {
					t.Errorf("page has a <%s>: %s", tok.Data, tok.String())
				}
			}
			for _, a := range tok.Attr {
				pt.attrs = append(pt.attrs, a)
				if strings.HasPrefix(a.Key, "on") {
					t.Errorf("event handler attribute in %s", tok.String())
				}
				if !attrNameRe.MatchString(a.Key) {
					t.Errorf("odd attribute name %q in %s", a.Key, tok.String())
				}
				if a.Key == "style" {
					t.Errorf("inline style in %s", tok.String())
				}
				switch a.Key {
				case "href", "src", "action", "formaction":
					v := a.Val
					ok := strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "#") ||
						(strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//"))
					if !ok {
						t.Errorf("unsafe %s=%q in %s", a.Key, v, tok.String())
					}
				}
			}
		}
	}
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// elementsWith returns the start tags that carry attribute key (with value val, when val != "").
func elementsWith(body, key, val string) []html.Token {
	var out []html.Token
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		for _, a := range tok.Attr {
			if a.Key == key && (val == "" || a.Val == val) {
				out = append(out, tok)
				break
			}
		}
	}
}
