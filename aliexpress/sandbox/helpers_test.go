package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// testEpoch is a fixed moment well inside the catalog's life.
var testEpoch = time.Date(2026, 3, 2, 4, 0, 0, 0, time.UTC)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a Sandbox under test with a client that signs by hand.
type env struct {
	t     *testing.T
	sb    *Sandbox
	clock *clock
	token string // an access token of DefaultUserNick
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	ck := &clock{t: testEpoch}
	if opts.Now == nil {
		opts.Now = ck.Now
	}
	sb := New(opts)
	at, _ := sb.IssueToken(DefaultUserNick)
	return &env{t: t, sb: sb, clock: ck, token: at}
}

// params returns the system parameters of a call at the env's time.
func (e *env) params(method string) map[string]string {
	p := map[string]string{
		"app_key":     e.sb.AppKey(),
		"sign_method": "sha256",
		"timestamp":   strconv.FormatInt(e.clock.Now().UnixMilli(), 10),
		"format":      "json",
	}
	if method != "" {
		p["method"] = method
	}
	return p
}

// sign adds the signature (apiPath "" for /sync).
func (e *env) sign(apiPath string, p map[string]string) map[string]string {
	e.t.Helper()
	sig, err := aliexpress.Sign(aliexpress.SignMethod(p["sign_method"]), e.sb.AppSecret(), apiPath, p)
	if err != nil {
		e.t.Fatalf("Sign: %v", err)
	}
	p["sign"] = sig
	return p
}

func form(p map[string]string) url.Values {
	v := url.Values{}
	for k, x := range p {
		v.Set(k, x)
	}
	return v
}

// serve runs a request through the Sandbox and returns status, content type and body.
func (e *env) serve(r *http.Request) (int, string, []byte) {
	e.t.Helper()
	w := httptest.NewRecorder()
	e.sb.ServeHTTP(w, r)
	return w.Code, w.Header().Get("Content-Type"), w.Body.Bytes()
}

// post sends signed params as an urlencoded body to path.
func (e *env) post(path string, p map[string]string) (int, []byte) {
	e.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form(p).Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	code, _, body := e.serve(r)
	return code, body
}

// call signs and sends a /sync business call with extra business params and the env's token when
// the method is user-scoped; it returns the decoded body.
func (e *env) call(method string, biz map[string]string) map[string]any {
	e.t.Helper()
	p := e.params(method)
	if userScoped(method) {
		p["session"] = e.token
	}
	for k, v := range biz {
		p[k] = v
	}
	e.sign("", p)
	code, body := e.post("/sync", p)
	if code != http.StatusOK {
		e.t.Fatalf("%s: HTTP %d: %s", method, code, body)
	}
	return decode(e.t, body)
}

// ok calls method and returns its <method>_response object, failing on an error_response.
func (e *env) ok(method string, biz map[string]string) map[string]any {
	e.t.Helper()
	v := e.call(method, biz)
	if er, isErr := v["error_response"]; isErr {
		e.t.Fatalf("%s(%v) = error %v; want success", method, biz, er)
	}
	key := strings.ReplaceAll(method, ".", "_") + "_response"
	resp, _ := v[key].(map[string]any)
	if resp == nil {
		e.t.Fatalf("%s: no %s in %v", method, key, v)
	}
	id, _ := resp["request_id"].(string)
	if e.sb.form.topCode {
		// WireDocSample puts request_id beside the method object.
		id, _ = v["request_id"].(string)
	}
	if len(id) != 25 {
		e.t.Errorf("%s: request_id = %q; want 25 characters", method, id)
	}
	return resp
}

// errCode calls method and returns the error_response code ("" when it succeeded).
func (e *env) errCode(method string, biz map[string]string) string {
	e.t.Helper()
	v := e.call(method, biz)
	er, _ := v["error_response"].(map[string]any)
	if er == nil {
		return ""
	}
	c, _ := er["code"].(string)
	return c
}

// rest posts signed params to /rest/<path>.
func (e *env) rest(path string, biz map[string]string) map[string]any {
	e.t.Helper()
	p := e.params("")
	for k, v := range biz {
		p[k] = v
	}
	e.sign(path, p)
	code, body := e.post("/rest"+path, p)
	if code != http.StatusOK {
		e.t.Fatalf("%s: HTTP %d: %s", path, code, body)
	}
	return decode(e.t, body)
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", truncate(string(body), 300), err)
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// at walks a decoded JSON value along a dotted path; numeric segments index arrays.
func at(v any, path string) any {
	for _, seg := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// kind names the JSON type of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "missing"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "?"
}

// shape checks the JSON type of each path of v.
func shape(t *testing.T, name string, v any, want map[string]string) {
	t.Helper()
	for path, k := range want {
		if got := kind(at(v, path)); got != k {
			t.Errorf("%s: %s is %s (%v); want %s", name, path, got, truncate(toJSON(at(v, path)), 120), k)
		}
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return toJSON(v)
}

// multipartBody builds a multipart form with params and one file part.
func multipartBody(t *testing.T, p map[string]string, fileField string, file []byte) (io.Reader, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range p {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if fileField != "" {
		fw, err := mw.CreateFormFile(fileField, "picture.jpg")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	mw.Close()
	return &buf, mw.FormDataContentType()
}
