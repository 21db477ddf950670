package web

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/export"
	"github.com/aliscout/aliscout/internal/tracking"
)

// trackSource is a catalog for the tracker whose prices a test sets.
type trackSource struct {
	mu     sync.Mutex
	prices map[string]int64 // per SKU of product 1005000000000777
	gone   bool
}

const trackedID = 1005000000000777

func (s *trackSource) BatchSize() int { return 20 }

func (s *trackSource) product() catalog.Product {
	p := catalog.Product{ID: trackedID, Title: "Desk Lamp", Options: []catalog.Option{{Name: "Color"}}, Orders30d: 300,
		Shipping: []catalog.ShippingOption{{Fee: catalog.Money{Amount: 0, Currency: "USD"}, Free: true, MinDays: 8, MaxDays: 12}}}
	for _, sku := range []string{"red", "blue"} {
		p.Variants = append(p.Variants, catalog.Variant{SKUID: sku, Values: []string{sku}, Price: catalog.Money{Amount: s.prices[sku], Currency: "USD"}, Stock: 40})
	}
	p.Price = p.Variants[0].Price
	return p
}

func (s *trackSource) Details(ctx context.Context, ids []int64, country, currency string) (map[int64]catalog.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]catalog.Product{}
	if !s.gone {
		out[trackedID] = s.product()
	}
	return out, nil
}

func (s *trackSource) Variants(ctx context.Context, userID, id int64, country, currency string) (catalog.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone || id != trackedID {
		return catalog.Product{}, &catalog.Error{Code: catalog.ENotFound}
	}
	return s.product(), nil
}

func (s *trackSource) set(sku string, price int64) {
	s.mu.Lock()
	s.prices[sku] = price
	s.mu.Unlock()
}

// webTracker is what cmd/aliscout wires as Config.Tracker.
type webTracker struct {
	*tracking.Tracker
	alerts *tracking.Alerts
}

func (t webTracker) SetWebhook(ctx context.Context, userID int64, u string) (string, error) {
	return t.alerts.SetWebhook(ctx, userID, u)
}

type plainSealer struct{}

func (plainSealer) Seal(s string) (string, error) { return "k:" + s, nil }
func (plainSealer) Open(s string) (string, error) { return strings.TrimPrefix(s, "k:"), nil }

func newTrackEnv(t *testing.T) (*acctEnv, *trackSource) {
	src := &trackSource{prices: map[string]int64{"red": 1000, "blue": 1200}}
	e := newAcctEnv(t, acctSetup{Config: Config{MaxWatches: 3}})
	tr := tracking.New(e.db, src, tracking.Options{Now: e.clock.Now})
	e.srv.cfg.Tracker = webTracker{Tracker: tr, alerts: tracking.NewAlerts(e.db, plainSealer{}, false, e.clock.Now)}
	return e, src
}

func TestWatchesAPI(t *testing.T) {
	e, src := newTrackEnv(t)
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")

	w := ann.api("POST", "/api/watches", fmt.Sprintf(`{"product_id": %d, "country": "US", "schedule": "daily", "rule": "x2.5 .99"}`, trackedID))
	if w.Code != 201 {
		t.Fatalf("POST /api/watches = %d %s; want 201", w.Code, w.Body.String())
	}
	id := fmt.Sprint(decodeJSON(t, w)["id"])
	for _, tc := range []struct{ body, field string }{
		{fmt.Sprintf(`{"product_id": %d}`, trackedID), "product_id"}, // watched already
		{`{"product_id": 10050000, "schedule": "weekly"}`, "schedule"},
		{`{"product_id": 10050000, "rule": "x0"}`, "rule"},
		{`{"product_id": 10050000, "country": "XX"}`, "country"},
		{`{"country": "US"}`, "product_id"},
	} {
		w := ann.api("POST", "/api/watches", tc.body)
		if code, field, _ := jsonError(t, w); w.Code != 400 || field != tc.field {
			t.Errorf("POST /api/watches %s = %d %s field %q; want 400 naming %s", tc.body, w.Code, code, field, tc.field)
		}
	}

	if w := ann.api("POST", "/api/watches/check", ""); w.Code != 200 || decodeJSON(t, w)["checked"] != float64(1) {
		t.Fatalf("POST /api/watches/check = %d %s; want 1 checked", w.Code, w.Body.String())
	}
	e.advance(24 * time.Hour)
	src.set("red", 1150)
	w = ann.api("POST", "/api/watches/"+id+"/check", "")
	if r := decodeJSON(t, w); w.Code != 200 || r["snapshots"] != float64(1) || r["alerts"] != float64(1) {
		t.Errorf("POST /api/watches/%s/check after a price rise = %d %s; want a snapshot and an alert", id, w.Code, w.Body.String())
	}
	e.advance(time.Hour)
	if r := decodeJSON(t, ann.api("POST", "/api/watches/"+id+"/check", "")); r["snapshots"] != float64(0) || r["alerts"] != float64(0) {
		t.Errorf("checking again without a change = %v; want nothing new", r)
	}

	w = ann.api("GET", "/api/watches/"+id+"/history", "")
	h := decodeJSON(t, w)
	snaps, _ := h["snapshots"].([]any)
	if w.Code != 200 || len(snaps) != 2 {
		t.Fatalf("history = %d %s; want 2 snapshots", w.Code, w.Body.String())
	}
	last := snaps[1].(map[string]any)
	vars := last["variants"].([]any)
	if last["time"] == "" || vars[1].(map[string]any)["sku"] != "red" || vars[1].(map[string]any)["price"].(map[string]any)["amount"] != "11.50" {
		t.Errorf("last snapshot = %v; want red at 11.50", last)
	}
	w = ann.api("GET", "/api/watches/"+id+"/history?format=csv", "")
	if body := w.Body.String(); w.Code != 200 || !strings.HasPrefix(body, "time,available,sku") || strings.Count(body, "\n") != 5 || !strings.Contains(body, ",red,red,11.50,USD,40,") {
		t.Errorf("history CSV = %d\n%s", w.Code, body)
	}

	w = ann.api("GET", "/api/alerts", "")
	al := decodeJSON(t, w)
	list := al["alerts"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["kind"] != "price_up" || list[0].(map[string]any)["product_id"] != float64(trackedID) || al["unread"] != float64(1) {
		t.Errorf("GET /api/alerts = %s; want one unread price_up of the product", w.Body.String())
	}
	if page := ann.get("/alerts").Body.String(); !strings.Contains(page, `id="unread-alerts">1<`) || !strings.Contains(page, "Price up on 1 variant(s): red 10.00 → 11.50") {
		t.Errorf("alerts page lacks the unread count or the alert")
	}
	if r := decodeJSON(t, ann.api("POST", "/api/alerts/read", `{}`)); r["marked"] != float64(1) {
		t.Errorf("POST /api/alerts/read = %v; want 1 marked", r)
	}

	// Price updates: only red's store price changes: x2.5 .99 of 11.50 is 28.99 (was 25.99).
	w = ann.api("GET", "/api/price-updates?format=shopify", "")
	if err := export.ValidateShopifyUpdates(bytes.NewReader(w.Body.Bytes())); w.Code != 200 || err != nil {
		t.Errorf("Shopify price updates = %d %v\n%s", w.Code, err, w.Body.String())
	}
	if lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "AE-1005000000000777-red,Color,red,,,,,28.99,,40") {
		t.Errorf("Shopify price updates =\n%s\nwant the red variant only at 28.99", w.Body.String())
	}
	w = ann.api("GET", "/api/price-updates?format=woocommerce", "")
	if err := export.ValidateWooUpdates(bytes.NewReader(w.Body.Bytes())); w.Code != 200 || err != nil || !strings.Contains(w.Body.String(), "variation,AE-1005000000000777-red,AE-1005000000000777,28.99,,1,40") {
		t.Errorf("WooCommerce price updates = %d %v\n%s", w.Code, err, w.Body.String())
	}
	w = ann.api("GET", "/api/price-updates?format=json", "")
	if !strings.Contains(w.Body.String(), `"old_price":"25.99","new_price":"28.99"`) {
		t.Errorf("JSON price updates = %s", w.Body.String())
	}
	if w := ann.api("GET", "/api/price-updates?format=xls", ""); w.Code != 400 {
		t.Errorf("format=xls = %d; want 400", w.Code)
	}

	// Pages: the chart with a point per value, the table, the times.
	page := ann.get("/watches/" + id).Body.String()
	for _, want := range []string{`<svg class="history-chart"`, "<title>red, ", "11.50 USD</title>", `class="change-mark"`, "next check", `id="history"`} {
		if !strings.Contains(page, want) {
			t.Errorf("watch page lacks %q", want)
		}
	}
	if page := ann.get("/watches").Body.String(); !strings.Contains(page, "Desk Lamp") || !strings.Contains(page, `class="sparkline"`) {
		t.Errorf("watches page lacks the product or its sparkline")
	}

	// Another user sees none of it.
	bob := e.browser("Chrome")
	bob.signUp("bob@example.com")
	for _, p := range []string{"/api/watches/" + id, "/api/watches/" + id + "/history"} {
		if w := bob.api("GET", p, ""); w.Code != 404 {
			t.Errorf("bob GET %s = %d; want 404", p, w.Code)
		}
	}
	if w := bob.api("DELETE", "/api/watches/"+id, ""); w.Code != 404 {
		t.Errorf("bob DELETE = %d; want 404", w.Code)
	}

	// PATCH, the cap, DELETE.
	if w := ann.api("PATCH", "/api/watches/"+id, `{"schedule": "hourly"}`); w.Code != 200 || decodeJSON(t, w)["schedule"] != "hourly" {
		t.Errorf("PATCH schedule = %d %s", w.Code, w.Body.String())
	}
	ann.api("POST", "/api/watches", `{"product_id": 10050011}`)
	ann.api("POST", "/api/watches", `{"product_id": 10050012}`)
	if w := ann.api("POST", "/api/watches", `{"product_id": 10050013}`); w.Code != 400 || !strings.Contains(w.Body.String(), "ALISCOUT_MAX_WATCHES") {
		t.Errorf("a 4th watch with a cap of 3 = %d %s; want refused", w.Code, w.Body.String())
	}
	if w := ann.api("DELETE", "/api/watches/"+id, ""); w.Code != 204 {
		t.Errorf("DELETE = %d", w.Code)
	}
}

func TestAlertSettingsWebhook(t *testing.T) {
	e, _ := newTrackEnv(t)
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://10.0.0.5/hook", "ftp://example.com/x", "http://localhost/x"} {
		w := ann.api("PUT", "/api/alerts/settings", fmt.Sprintf(`{"webhook_url": %q}`, u))
		if _, field, _ := jsonError(t, w); w.Code != 400 || field != "url" {
			t.Errorf("webhook %s = %d %s; want 400 on url", u, w.Code, w.Body.String())
		}
	}
	w := ann.api("PUT", "/api/alerts/settings", `{"webhook_url": "https://hooks.example.com/a", "email": false}`)
	r := decodeJSON(t, w)
	secret, _ := r["webhook_secret"].(string)
	if w.Code != 200 || !strings.HasPrefix(secret, "whsec_") || r["email"] != false {
		t.Fatalf("PUT settings = %d %s; want the secret once", w.Code, w.Body.String())
	}
	if body := ann.api("GET", "/api/alerts/settings", "").Body.String(); strings.Contains(body, secret) || strings.Contains(body, "webhook_secret") {
		t.Errorf("GET settings shows the secret again: %s", body)
	}
	form := url.Values{"webhook_url": {"https://hooks.example.com/b"}, "email": {"on"}}
	if page := ann.post("/alerts/settings", form).Body.String(); !strings.Contains(page, "whsec_") {
		t.Errorf("the settings form does not show the new secret once")
	}
}

// TestWatchWholeList: a list's products are watched for the country and rule each was saved
// with; watching again adds nothing.
func TestWatchWholeList(t *testing.T) {
	e, _ := newTrackEnv(t)
	ann := e.browser("Firefox")
	ann.signUp("ann@example.com")
	id := createList(t, ann, "Summer")
	if w := ann.api("POST", "/api/lists/"+id+"/items", `{"product_id": 1005000000000001, "country": "DE", "rule": "x2 .99"}`); w.Code != 201 {
		t.Fatalf("save item = %d %s", w.Code, w.Body.String())
	}
	w := ann.post("/lists/"+id+"/watch", url.Values{})
	if w.Code != 303 {
		t.Fatalf("POST /lists/%s/watch = %d %s", id, w.Code, w.Body.String())
	}
	list := decodeJSON(t, ann.api("GET", "/api/watches", ""))["watches"].([]any)
	if len(list) != 1 {
		t.Fatalf("watches after watching the list = %v; want 1", list)
	}
	got := list[0].(map[string]any)
	if got["product_id"] != float64(1005000000000001) || got["country"] != "DE" || got["rule"] != "x2 .99" || got["schedule"] != "daily" {
		t.Errorf("watch = %v; want the item's product, DE, x2 .99, daily", got)
	}
	ann.post("/lists/"+id+"/watch", url.Values{})
	if n := len(decodeJSON(t, ann.api("GET", "/api/watches", ""))["watches"].([]any)); n != 1 {
		t.Errorf("watching the list twice = %d watches; want 1", n)
	}
}
