package web

import (
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestGzipText: every text answer worth it (pages, JSON, CSV, scripts) is compressed for a client
// that takes gzip, once, and decodes to the plain answer; small answers and other clients get
// the plain bytes.
func TestGzipText(t *testing.T) {
	e := newEnv(t, Config{})
	js, err := e.srv.static.url("app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/search?q=holder", fmt.Sprintf("/products/%d", idHolder), "/api/search?q=holder",
		fmt.Sprintf("/api/products/%d", idHolder), "/import", "/compare?ids=1005000000000001,1005000000000002", js} {
		plain := e.get(path)
		r := httptest.NewRequest(http.MethodGet, path, nil)
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
		w := e.do(r)
		if w.Code != plain.Code || w.Header().Get("Content-Encoding") != "gzip" || w.Header().Get("Vary") == "" {
			t.Errorf("GET %s with gzip = %d, Content-Encoding %q, Vary %q; want %d, gzip, Vary", path, w.Code,
				w.Header().Get("Content-Encoding"), w.Header().Get("Vary"), plain.Code)
			continue
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, err := io.ReadAll(zr)
		if err != nil || string(body) != plain.Body.String() {
			t.Errorf("GET %s: the gzip answer (%d bytes, %v) does not decode to the plain one (%d bytes)", path, len(body), err, plain.Body.Len())
		}
		if plain.Header().Get("Content-Encoding") != "" {
			t.Errorf("GET %s without Accept-Encoding came encoded", path)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	r.Header.Set("Accept-Encoding", "gzip")
	if w := e.do(r); w.Header().Get("Content-Encoding") != "" {
		t.Error("a 3-byte answer was compressed")
	}
}
