package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// TestEncodedSearchAnswers: a repeated search is answered with the bytes encoded the first time;
// another query, a stale result or another currency never gets those bytes; If-None-Match gives
// 304; a client that takes gzip gets the same JSON compressed.
func TestEncodedSearchAnswers(t *testing.T) {
	e := newEnv(t, Config{})
	first := e.get("/api/search?q=holder")
	again := e.get("/api/search?q=holder")
	if first.Code != 200 || again.Body.String() != first.Body.String() || again.Header().Get("ETag") == "" ||
		again.Header().Get("ETag") != first.Header().Get("ETag") {
		t.Fatalf("repeated search = %d, ETag %q vs %q; want the same body and ETag", again.Code, again.Header().Get("ETag"), first.Header().Get("ETag"))
	}
	if e.srv.answers.hits == 0 {
		t.Error("the repeated search was encoded again; want the cached bytes")
	}
	for _, other := range []string{"/api/search?q=stale", "/api/search?q=holder&currency=EUR", "/api/search?q=holder&page_size=5"} {
		hits := e.srv.answers.hits
		if w := e.get(other); w.Code != 200 {
			t.Errorf("GET %s = %d", other, w.Code)
		}
		if e.srv.answers.hits != hits {
			t.Errorf("GET %s was answered with another query's encoded bytes", other)
		}
	}
	if w := e.get("/api/search?q=stale"); w.Body.String() == first.Body.String() {
		t.Error("a stale search got the fresh search's body")
	}
	if w := e.get("/api/search?q=stale"); !bytes.Contains(w.Body.Bytes(), []byte(`"stale":true`)) {
		t.Errorf("a stale search's answer is not marked stale: %.200s", w.Body.String())
	}

	r := httptest.NewRequest(http.MethodGet, "/api/search?q=holder", nil)
	r.Header.Set("If-None-Match", first.Header().Get("ETag"))
	if w := e.do(r); w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag = %d, %d bytes; want 304 and no body", w.Code, w.Body.Len())
	}
	r = httptest.NewRequest(http.MethodGet, "/api/search?q=holder", nil)
	r.Header.Set("Accept-Encoding", "br, gzip")
	w := e.do(r)
	if w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Accept-Encoding gzip: Content-Encoding %q; want gzip", w.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != first.Body.String() {
		t.Error("the gzip answer does not decode to the plain one")
	}
}

// TestSearchAnswerKeyFollowsTheData: any figure an answer shows changes its key, so a cached
// encoding is never served for changed data.
func TestSearchAnswerKeyFollowsTheData(t *testing.T) {
	fc := newFakeCatalog(nil)
	res := catalog.SearchResult{Products: slices.Clone(fc.products[:3]), Total: 3, Page: 1, PageSize: 20}
	base := searchAnswerKey("q=x", &res)
	changes := map[string]func(r *catalog.SearchResult){
		"price":    func(r *catalog.SearchResult) { r.Products[1].Price.Amount++ },
		"stale":    func(r *catalog.SearchResult) { r.Stale = true },
		"fetched":  func(r *catalog.SearchResult) { r.Products[0].FetchedAt = r.Products[0].FetchedAt.Add(time.Second) },
		"shipping": func(r *catalog.SearchResult) { r.Products[2].Shipping = nil; r.Products[2].ShippingPending = true },
		"stock":    func(r *catalog.SearchResult) { r.Products[0].Variants[0].Stock = 0 },
		"currency": func(r *catalog.SearchResult) { r.Products[0].Price.Currency = "EUR" },
	}
	for name, change := range changes {
		r := res
		r.Products = slices.Clone(res.Products)
		for i := range r.Products {
			r.Products[i].Variants = slices.Clone(r.Products[i].Variants)
		}
		change(&r)
		if searchAnswerKey("q=x", &r) == base {
			t.Errorf("changing the %s left the answer's key the same", name)
		}
	}
	if searchAnswerKey("q=x", &res) != base {
		t.Error("the same result gave another key")
	}
	if searchAnswerKey("q=y", &res) == base {
		t.Error("another query gave the same key")
	}
}
