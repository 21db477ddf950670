package web

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// pngBytes is the start of a PNG file, enough for a picture as far as the proxy cares.
var pngBytes = []byte("\x89PNG\r\n\x1a\n-picture-")

// fakeSimulator serves pictures below /sandbox/img/ as the simulator does, and things the proxy
// must never pass on elsewhere; it records every path asked for.
type fakeSimulator struct {
	*httptest.Server
	mu    sync.Mutex
	asked []string
}

func newFakeSimulator(t *testing.T) *fakeSimulator {
	fs := &fakeSimulator{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /sandbox/img/{path...}", func(w http.ResponseWriter, r *http.Request) {
		switch p := r.PathValue("path"); {
		case p == "big.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(bytes.Repeat([]byte{'x'}, maxProxiedImage+1))
		case p == "drawing.svg":
			w.Header().Set("Content-Type", "image/svg+xml")
			_, _ = io.WriteString(w, `<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
		case p == "moved.png":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case strings.HasSuffix(p, ".png"):
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(pngBytes)
		default:
			http.NotFound(w, r)
		}
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "the gateway's secret page")
	})
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.asked = append(fs.asked, r.URL.RequestURI())
		fs.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fakeSimulator) paths() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]string(nil), fs.asked...)
}

func newProxyEnv(t *testing.T, sim *fakeSimulator) *testEnv {
	t.Helper()
	fc := newFakeCatalog(func(n int) string { return fmt.Sprintf("%s/sandbox/img/%d/main.png", sim.URL, n) })
	srv := New(Config{Simulated: true, Now: func() time.Time { return testNow }, ImageProxy: sim.URL + "/sandbox/img/",
		AllowedHosts: []string{"example.com"}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, fc)
	return &testEnv{fc: fc, srv: srv, h: srv.Handler(), logs: &lockedBuffer{}}
}

// TestImageProxy checks that the app serves the simulator's pictures from its own origin, and
// nothing else from there or from anywhere.
func TestImageProxy(t *testing.T) {
	sim := newFakeSimulator(t)
	e := newProxyEnv(t, sim)

	w := e.get("/img/1/main.png?next=http://evil.example/")
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !bytes.Equal(w.Body.Bytes(), pngBytes) {
		t.Fatalf("GET /img/1/main.png = %d %s %q; want the picture", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=") {
		t.Errorf("picture Cache-Control = %q; want public with a max-age", cc)
	}
	etag := w.Header().Get("ETag")
	r := httptest.NewRequest(http.MethodGet, "/img/1/main.png", nil)
	r.Header.Set("If-None-Match", etag)
	if w := e.do(r); etag == "" || w.Code != http.StatusNotModified {
		t.Errorf("GET /img/1/main.png with If-None-Match %s = %d; want 304", etag, w.Code)
	}

	for _, c := range []struct {
		path string
		want int
	}{
		{"/img/2/missing.gif", 404},
		{"/img/big.png", 502},      // over the size cap
		{"/img/drawing.svg", 502},  // SVG could carry script on the app's origin
		{"/img/moved.png", 502},    // a redirect is not followed
		{"/img/../../secret", 307}, // the mux sends it to the cleaned path, outside /img/
		{"/img/%2e%2e/%2e%2e/x", 404},
		{"/img/..%2f..%2fsecret", 404},
		{"/img/.hidden.png", 404},
		{"/img/a%3Fb.png", 404},
		{"/img/", 404},
		{"/img/http:%2F%2Fevil.example%2Fx.png", 404},
	} {
		if w := e.get(c.path); w.Code != c.want {
			t.Errorf("GET %s = %d; want %d", c.path, w.Code, c.want)
		}
	}
	for _, p := range sim.paths() {
		if !strings.HasPrefix(p, "/sandbox/img/") || strings.Contains(p, "?") || strings.Contains(p, "..") {
			t.Errorf("the proxy asked the simulator for %s; want only pictures below /sandbox/img/, without a query", p)
		}
	}

	// Pages point at the proxy, and the policy names no other origin for it.
	for _, target := range []string{"/search?q=holder", "/products/1005000000000001", "/compare?ids=1005000000000001"} {
		w := e.get(target)
		body := w.Body.String()
		if strings.Contains(body, sim.URL) {
			t.Errorf("GET %s still links the simulator's pictures at %s", target, sim.URL)
		}
		if len(elementsWith(body, "src", "/img/1/main.png")) == 0 {
			t.Errorf("GET %s shows no picture through /img/", target)
		}
		if csp := w.Header().Get("Content-Security-Policy"); strings.Contains(csp, sim.URL) {
			t.Errorf("GET %s: the CSP names the simulator's origin: %s", target, csp)
		}
	}

	// Without a proxy there is nothing at /img/.
	plain := newEnv(t, Config{})
	if w := plain.get("/img/1/main.png"); w.Code != 404 {
		t.Errorf("GET /img/1/main.png without a proxy = %d; want 404", w.Code)
	}
}
