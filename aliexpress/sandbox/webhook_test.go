package sandbox

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"
)

// hookReceiver records the webhooks it is sent; it fails the first failFirst of them.
type hookReceiver struct {
	mu        sync.Mutex
	got       []map[string]any
	failFirst int
	calls     int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.calls++
	if h.calls <= h.failFirst {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	b, _ := io.ReadAll(r.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	h.got = append(h.got, m)
}

// statuses returns the orderStatus values received for order id, in order.
func (h *hookReceiver) statuses(id int64) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, m := range h.got {
		data, _ := m["data"].(map[string]any)
		if n, _ := data["orderId"].(float64); int64(n) == id {
			out = append(out, data["orderStatus"].(string))
		}
	}
	return out
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestOrderStatusWebhook: with a webhook URL set, each order's statuses are posted once each, in
// the order it reaches them, as the clock moves; a receiver that fails is tried again.
func TestOrderStatusWebhook(t *testing.T) {
	rec := &hookReceiver{failFirst: 1}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	e := newEnv(t, Options{WebhookURL: srv.URL + "/webhooks/aliexpress"})
	t.Cleanup(e.sb.StopWebhooks)
	p := e.fixture("US")
	v := p.Variants[0]
	opt := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0]

	r := e.createOrder(orderJSON(t, "H-1", p, v, opt.Code, 1, nil), "")
	id, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
	waitFor(t, "OrderCreated", func() bool { return len(rec.statuses(id)) == 1 })
	if !e.sb.PayOrder(id) {
		t.Fatal("PayOrder = false")
	}
	e.sb.Advance(2 * time.Hour)
	waitFor(t, "PaymentAuthorized", func() bool { return len(rec.statuses(id)) == 2 })
	e.sb.Advance(60 * 24 * time.Hour)
	waitFor(t, "OrderShipped and OrderConfirmed", func() bool { return len(rec.statuses(id)) == 4 })
	e.sb.Advance(24 * time.Hour)
	time.Sleep(50 * time.Millisecond)
	want := []string{HookOrderCreated, HookPaymentAuthorized, HookOrderShipped, HookOrderConfirmed}
	if got := rec.statuses(id); !slices.Equal(got, want) {
		t.Errorf("statuses sent = %v; want %v, once each", got, want)
	}

	// The body is the platform's DROPSHIPPER_ORDER_STATUS_UPDATE message.
	rec.mu.Lock()
	m := rec.got[0]
	rec.mu.Unlock()
	data, _ := m["data"].(map[string]any)
	if m["message_type"] != float64(53) || m["site"] != "ae_global" || data["buyerId"] != float64(userID(DefaultUserNick)) || m["timestamp"] == nil {
		t.Errorf("webhook body = %v", m)
	}

	// An unpaid order closes after the pay timeout.
	e.token, _ = e.sb.IssueToken(DefaultUserNick) // the first token ended with the moved clock
	r = e.createOrder(orderJSON(t, "H-2", p, v, opt.Code, 1, nil), "")
	id2, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
	e.sb.Advance(25 * time.Hour)
	waitFor(t, "OrderClosed", func() bool { return len(rec.statuses(id2)) == 2 })
	if got := rec.statuses(id2); got[1] != HookOrderClosed {
		t.Errorf("unpaid order's statuses = %v; want OrderCreated, OrderClosed", got)
	}

	// The sender logs a delivery once the receiver has answered, so the log may trail what the
	// receiver holds by a moment.
	waitFor(t, "six deliveries logged", func() bool { return len(e.sb.WebhookDeliveries()) >= 6 })
	ds := e.sb.WebhookDeliveries()
	if len(ds) != 6 || ds[0].Attempts != 2 || ds[0].HTTPStatus != http.StatusOK || ds[0].Status != HookOrderCreated {
		t.Errorf("deliveries = %+v; want 6, the first sent on its second attempt", ds)
	}
}

// TestWebhookOffAndSetLater: without a URL nothing is sent; set later, only what happens from
// then on is.
func TestWebhookOffAndSetLater(t *testing.T) {
	rec := &hookReceiver{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	e := newEnv(t, Options{})
	t.Cleanup(e.sb.StopWebhooks)
	p := e.fixture("US")
	v := p.Variants[0]
	opt := e.sb.cat.Shipping(p, v.SKUID, "US", 1)[0]
	r := e.createOrder(orderJSON(t, "H-3", p, v, opt.Code, 1, nil), "")
	id, _ := strconv.ParseInt(str(at(r, "result.order_list.number.0")), 10, 64)
	if err := e.sb.SetWebhookURL("ftp://example.com"); err == nil {
		t.Error("SetWebhookURL(ftp://...) = nil; want an error")
	}
	if len(e.sb.WebhookDeliveries()) != 0 {
		t.Fatal("deliveries without a URL")
	}
	if err := e.sb.SetWebhookURL(srv.URL); err != nil {
		t.Fatal(err)
	}
	e.sb.PayOrder(id)
	e.sb.Advance(2 * time.Hour)
	waitFor(t, "PaymentAuthorized", func() bool { return len(rec.statuses(id)) == 1 })
	if got := rec.statuses(id); got[0] != HookPaymentAuthorized {
		t.Errorf("statuses after setting the URL = %v; want PaymentAuthorized only (OrderCreated was before)", got)
	}
}

// TestWebhookControl sets the URL through /__sandbox/webhook and lists the deliveries.
func TestWebhookControl(t *testing.T) {
	x := newCtlEnv(t)
	x.bad(t, "POST", "/__sandbox/webhook", `{"url": "not a url"}`, "url")
	x.bad(t, "POST", "/__sandbox/webhook", `{}`, "url")
	x.ok(t, "POST", "/__sandbox/webhook", `{"url": "http://127.0.0.1:9/hook"}`)
	out := x.ok(t, "GET", "/__sandbox/webhook", "")
	if out["url"] != "http://127.0.0.1:9/hook" || out["deliveries"] == nil {
		t.Errorf("GET /__sandbox/webhook = %v", out)
	}
	x.ok(t, "POST", "/__sandbox/webhook", `{"url": ""}`)
	if out := x.ok(t, "GET", "/__sandbox/webhook", ""); out["url"] != "" {
		t.Errorf("after stopping: %v", out)
	}
}
