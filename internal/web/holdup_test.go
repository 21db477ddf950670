package web

import (
	"encoding/json"
	"net/http"
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
