package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRequestBudget: a page whose catalog call hangs answers when the request's budget ends, not
// when AliExpress does.
func TestRequestBudget(t *testing.T) {
	e := newEnv(t, Config{RequestBudget: 50 * time.Millisecond})
	done := make(chan int, 1)
	go func() { done <- e.get("/api/search?q=hang").Code }()
	select {
	case code := <-done:
		if code != http.StatusBadGateway {
			t.Errorf("GET /api/search on a hanging catalog = %d; want 502 once the budget ends", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the request waited past its budget")
	}
}

// TestShippingUnknownShown: cards whose shipping could not be had say so, rather than "does not
// ship", on the page and in the API.
func TestShippingUnknownShown(t *testing.T) {
	e := newEnv(t, Config{})
	w := e.get("/search?q=slowship")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, "Shipping unknown") || strings.Contains(body, "Does not ship") {
		t.Errorf("search with shipping unknown = %d; want \"Shipping unknown\" and no \"Does not ship\" on the cards", w.Code)
	}
	w = e.get("/api/search?q=slowship")
	var out struct {
		Products []struct {
			ShippingUnknown bool `json:"shipping_unknown"`
		}
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Products) == 0 || !out.Products[0].ShippingUnknown {
		t.Errorf("/api/search with shipping unknown = %s; want shipping_unknown true", w.Body.String())
	}
}

// TestRefusalsLoggedOncePerMinute: a rate-limited AliExpress refuses every request; the log gets
// one line a minute, not one per request.
func TestRefusalsLoggedOncePerMinute(t *testing.T) {
	e := newEnv(t, Config{})
	for range 50 {
		if w := e.get("/api/search?q=ratelimit"); w.Code != http.StatusServiceUnavailable {
			t.Fatalf("rate-limited search = %d; want 503", w.Code)
		}
	}
	if n := strings.Count(e.logs.String(), "request failed"); n != 1 {
		t.Errorf("50 rate-limited requests logged %d failures; want 1 (once a minute)", n)
	}
}

// TestReadyz: the readiness probe answers 200 while what the replica needs answers, and 503
// naming what does not; any Host may ask, as a load balancer does by IP.
func TestReadyz(t *testing.T) {
	var down error
	e := newEnv(t, Config{Ready: func(context.Context) error { return down }})
	r := httptest.NewRequest(http.MethodGet, "/readyz", nil)
	r.Host = "10.0.0.7:8080"
	if w := e.do(r); w.Code != 200 || !strings.Contains(w.Body.String(), "ready") {
		t.Errorf("GET /readyz = %d %q; want 200 ready", w.Code, w.Body.String())
	}
	down = errors.New("the database does not answer")
	if w := e.get("/readyz"); w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "database") {
		t.Errorf("GET /readyz with the database down = %d %q; want 503 naming it", w.Code, w.Body.String())
	}
	if w := e.get("/healthz"); w.Code != 200 {
		t.Errorf("GET /healthz with the database down = %d; want 200 (alive)", w.Code)
	}
}
