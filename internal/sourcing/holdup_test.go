package sourcing_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sourcing"
)

// TestFailingGatewayCostsFewCalls: with the gateway failing every call, repeating a stale search
// for a minute costs a handful of calls (the circuit breaker and the remembered failures), and
// every answer is the saved one, marked stale.
func TestFailingGatewayCostsFewCalls(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "phone case")
	if _, err := fx.svc.Search(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	fx.clock.Add(10 * time.Minute) // past the search TTL, within the shipping TTL
	fx.sb.SetFaults(sandbox.Faults{ErrorRate: 1})
	before := fx.total()
	for i := range 30 {
		res, err := fx.svc.Search(context.Background(), f)
		if err != nil || !res.Stale || len(res.Products) == 0 {
			t.Fatalf("search %d with the gateway failing = %d products, stale %v, %v; want the saved page marked stale", i, len(res.Products), res.Stale, err)
		}
		fx.clock.Add(2 * time.Second)
	}
	if got := fx.total() - before; got > 6 {
		t.Errorf("30 repeats of a stale search over a minute of failures cost %d AliExpress calls; want at most 6", got)
	}
}

// TestBreakerProbesAndCloses: after the gateway recovers, one probe closes the circuit and calls
// flow again.
func TestBreakerProbesAndCloses(t *testing.T) {
	fx := newFixture(t, false)
	fx.sb.SetFaults(sandbox.Faults{ErrorRate: 1})
	for i := range 8 {
		_, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "lamp", "page", "1", "min_orders", "0", "page_size", "1"+string(rune('0'+i))))
		if catalog.ErrorCode(err) != catalog.EUpstream {
			t.Fatalf("search %d on a failing gateway = %v; want EUpstream", i, err)
		}
	}
	if n := fx.calls(queryMethod); n > 5 {
		t.Errorf("8 different searches on a failing gateway made %d calls; want the circuit open after 5", n)
	}
	fx.sb.SetFaults(sandbox.Faults{})
	fx.clock.Add(31 * time.Second)
	if _, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "lamp", "min_orders", "0")); err != nil {
		t.Fatalf("search after the gateway recovered = %v; want the probe to succeed", err)
	}
	if _, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "desk", "min_orders", "0")); err != nil {
		t.Errorf("search after the probe = %v; want the circuit closed", err)
	}
}

// TestSearchAnswersWithinItsDeadline: with a hanging gateway, a search with saved data answers
// when the request's time runs out, with the saved page marked stale, instead of waiting.
func TestSearchAnswersWithinItsDeadline(t *testing.T) {
	fx := newFixture(t, false)
	f := mustFilters(t, "q", "phone case")
	if _, err := fx.svc.Search(context.Background(), f); err != nil {
		t.Fatal(err)
	}
	fx.clock.Add(10 * time.Minute)
	fx.sb.SetFaults(sandbox.Faults{Latency: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	res, err := fx.svc.Search(ctx, f)
	if err != nil || !res.Stale || len(res.Products) == 0 {
		t.Fatalf("search past its deadline = %d products, stale %v, %v; want the saved page marked stale", len(res.Products), res.Stale, err)
	}
}

// TestShippingUnknownWhenTooSlow: a cold search whose shipping lookups hang answers in time, its
// cards marked "shipping unknown" rather than "does not ship".
func TestShippingUnknownWhenTooSlow(t *testing.T) {
	fx := newFixture(t, false)
	fx.sb.SetFaults(sandbox.Faults{Latency: 5 * time.Second, Methods: []string{"aliexpress.affiliate.product.shipping.get"}})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	res, err := fx.svc.Search(ctx, mustFilters(t, "q", "phone case"))
	if err != nil || len(res.Products) == 0 {
		t.Fatalf("search = %d products, %v; want the page without shipping", len(res.Products), err)
	}
	for _, p := range res.Products {
		if !p.ShippingUnknown || p.Shipping != nil {
			t.Errorf("product %d: ShippingUnknown %v, Shipping %v; want unknown, not 'does not ship'", p.ID, p.ShippingUnknown, p.Shipping)
		}
	}
}

// TestProductsBatchesDetails: looking up many products costs one productdetail.get per batch,
// not one per product.
func TestProductsBatchesDetails(t *testing.T) {
	fx := newFixture(t, false)
	ids := fx.sb.SampleProductIDs(15)
	found := fx.svc.Products(context.Background(), ids, catalog.ProductOptions{ShipTo: "US"})
	for i, f := range found {
		if f.Err != nil || f.ID != ids[i] || f.Product.ID != ids[i] {
			t.Fatalf("Products[%d] = id %d, product %d, %v; want product %d", i, f.ID, f.Product.ID, f.Err, ids[i])
		}
	}
	if n := fx.calls("aliexpress.affiliate.productdetail.get"); n > 2 {
		t.Errorf("15 products cost %d productdetail.get calls; want 1 (one batch)", n)
	}
}

// TestHealthSaysBudgetSpent: when the daily budget is used up, /api/health's data says so, with
// when it resets, and costs no call.
func TestHealthSaysBudgetSpent(t *testing.T) {
	clk := newClock(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)) // 18:00 GMT+8
	sb := sandbox.NewServer(sandbox.Options{Now: clk.Now})
	t.Cleanup(sb.Close)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithClock(clk.Now), aliexpress.WithDailyBudget(1))
	if err != nil {
		t.Fatal(err)
	}
	svc := sourcing.NewService(c, cache.New(cache.NewMemoryStore(cache.MemoryOptions{}), cache.Options{Now: clk.Now}),
		sourcing.ServiceOptions{Now: clk.Now, Simulated: true})
	if h := svc.Health(context.Background()); !h.OK {
		t.Fatalf("Health with budget left = %+v; want OK", h)
	}
	calls := len(sb.Calls())
	h := svc.Health(context.Background())
	if h.OK || h.Code != catalog.ERateLimited || !strings.Contains(h.Message, "16:00 UTC") {
		t.Errorf("Health with the budget spent = %+v; want not OK, rate_limited, resetting at 16:00 UTC (midnight GMT+8)", h)
	}
	if len(sb.Calls()) != calls {
		t.Error("Health spent a call with the budget used up")
	}
}

func TestPlatformDayEnd(t *testing.T) {
	for _, tt := range []struct{ now, want string }{
		{"2026-12-04T10:00:00Z", "2026-12-04T16:00:00Z"},
		{"2026-12-04T16:00:00Z", "2026-12-05T16:00:00Z"},
		{"2026-12-31T15:59:59Z", "2026-12-31T16:00:00Z"},
	} {
		now, _ := time.Parse(time.RFC3339, tt.now)
		if got := sourcing.PlatformDayEnd(now).UTC().Format(time.RFC3339); got != tt.want {
			t.Errorf("PlatformDayEnd(%s) = %s; want %s", tt.now, got, tt.want)
		}
	}
}

func TestTranslateBudgetSaysWhenItResets(t *testing.T) {
	err := sourcing.Translate(&aliexpress.Error{Kind: aliexpress.ErrBudgetExhausted, Message: "100 calls made today"})
	var ce *catalog.Error
	if !errors.As(err, &ce) || ce.Code != catalog.ERateLimited || ce.RetryAfter <= 0 || ce.RetryAfter > 24*time.Hour {
		t.Errorf("Translate(budget exhausted) = %+v; want rate_limited with a Retry-After up to the platform's midnight", ce)
	}
}
