package sourcing_test

import (
	"context"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/sourcing"
)

// newLazyFixture is newFixture with LazyShipping, sharing one cache with an eager service so that
// a test can compare them.
func newLazyFixture(t *testing.T, ds bool) (lazy, eager *fixture) {
	return newLazyFixtureMemo(t, ds, -1)
}

// newLazyFixtureMemo is newLazyFixture with the services remembering searches for memoFor.
func newLazyFixtureMemo(t *testing.T, ds bool, memoFor time.Duration) (lazy, eager *fixture) {
	t.Helper()
	clk := newClock(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC))
	sb := sandbox.NewServer(sandbox.Options{Now: clk.Now})
	t.Cleanup(sb.Close)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithTrackingID("test-track"), aliexpress.WithClock(clk.Now), aliexpress.WithRetryPolicy(aliexpress.RetryPolicy{MaxAttempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	if ds {
		tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
		c = c.WithAccessToken(tok)
	}
	ch := cache.New(cache.NewMemoryStore(cache.MemoryOptions{Now: clk.Now}), cache.Options{Now: clk.Now})
	mk := func(lazy bool) *fixture {
		return &fixture{sb: sb, clock: clk, svc: sourcing.NewService(c, ch, sourcing.ServiceOptions{DS: ds, Simulated: true, Now: clk.Now,
			LazyShipping: lazy, MemoFor: memoFor})}
	}
	return mk(true), mk(false)
}

// TestLazyShippingSearchCostsOneCall checks that with LazyShipping a search that needs no shipping
// costs one upstream call, leaves the shown products' shipping pending, and that SearchShipping then
// fetches exactly what an eager search would have shown, with no product lookups.
func TestLazyShippingSearchCostsOneCall(t *testing.T) {
	for _, ds := range []bool{true, false} {
		lazy, eager := newLazyFixture(t, ds)
		ctx := context.Background()
		f := mustFilters(t, "q", "phone case")
		res, err := lazy.svc.Search(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if n := lazy.total(); n != 1 {
			t.Errorf("DS %v: a first search cost %d calls; want 1 (%v)", ds, n, lazy.sb.Calls())
		}
		var ids []int64
		for _, p := range res.Products {
			if !p.ShippingPending || p.Shipping != nil {
				t.Errorf("DS %v: product %d shipping pending %v with %d options; want pending, none yet", ds, p.ID, p.ShippingPending, len(p.Shipping))
			}
			ids = append(ids, p.ID)
		}
		before := lazy.total()
		got := lazy.svc.SearchShipping(ctx, ids, catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language})
		// One shipping call each and no affiliate product lookups. With DS, a product whose
		// quoted variant has stock 0 gets its DS product fetched (and its buyable variant
		// quoted), as an eager search does.
		shipping, other := 0, map[string]int{}
		for _, c := range lazy.sb.Calls()[before:] {
			switch c.Method {
			case "aliexpress.ds.freight.query", "aliexpress.affiliate.product.shipping.get":
				shipping++
			default:
				other[c.Method]++
			}
		}
		if shipping < len(ids) || (!ds && shipping != len(ids)) {
			t.Errorf("DS %v: SearchShipping of %d products made %d shipping calls; want one each", ds, len(ids), shipping)
		}
		if len(other) > 1 || (len(other) == 1 && (!ds || other["aliexpress.ds.product.get"] == 0)) {
			t.Errorf("DS %v: SearchShipping also called %v; want only DS product fetches for sold-out variants", ds, other)
		}
		// The eager search now finds every shipping (and DS product) in the cache: the same keys,
		// the same answers. It is asked to show sold-out products too, so that it shows the very
		// products the lazy page listed (by default it would hide the sold-out ones, which the
		// lazy page learns of only as their shipping arrives, and take further products).
		before = lazy.total()
		full, err := eager.svc.Search(ctx, mustFilters(t, "q", "phone case", "in_stock", "false"))
		if err != nil {
			t.Fatal(err)
		}
		if len(full.Products) != len(ids) {
			t.Errorf("DS %v: the eager search shows %d products; want the lazy page's %d", ds, len(full.Products), len(ids))
		}
		if n := lazy.total() - before; n != 0 {
			t.Errorf("DS %v: an eager search after SearchShipping cost %d calls; want 0 (the lazy fetch filled the same cache keys)", ds, n)
		}
		for i, p := range full.Products[:min(len(full.Products), len(got))] {
			if got[i].Err != nil || got[i].ID != p.ID || len(got[i].Quote.Options) != len(p.Shipping) {
				t.Errorf("DS %v: SearchShipping[%d] = %+v; want the %d options the eager search shows", ds, i, got[i], len(p.Shipping))
			}
		}
		// A repeat of the lazy search takes the shipping from the cache. (It now knows which of
		// those products are sold out and hides them; the products that take their place were
		// never fetched and may be pending.)
		listed := map[int64]bool{}
		for _, id := range ids {
			listed[id] = true
		}
		again, _ := lazy.svc.Search(ctx, f)
		for _, p := range again.Products {
			if listed[p.ID] && p.ShippingPending {
				t.Errorf("DS %v: product %d still pending after its shipping was fetched", ds, p.ID)
			}
		}
		// A search that filters by shipping fetches it at once.
		res, err = lazy.svc.Search(ctx, mustFilters(t, "q", "phone case", "free_shipping", "true"))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range res.Products {
			if p.ShippingPending {
				t.Errorf("DS %v: free-shipping search left product %d pending", ds, p.ID)
			}
		}
	}
}

// TestRememberedSearchRevision: a remembered search served again keeps its Revision (so that the
// web app can serve the bytes it drew from it), and gets a new one once its pending shipping is
// filled in.
func TestRememberedSearchRevision(t *testing.T) {
	lazy, _ := newLazyFixtureMemo(t, false, time.Minute)
	ctx := context.Background()
	f := mustFilters(t, "q", "phone case")
	if _, err := lazy.svc.Search(ctx, f); err != nil {
		t.Fatal(err)
	}
	first, _ := lazy.svc.Search(ctx, f)
	again, _ := lazy.svc.Search(ctx, f)
	if first.Revision == 0 || again.Revision != first.Revision {
		t.Fatalf("remembered search revisions %d then %d; want the same, not 0", first.Revision, again.Revision)
	}
	if rev, ok := lazy.svc.SearchRevision(f.Key()); !ok || rev != first.Revision {
		t.Errorf("SearchRevision = %d, %v; want %d, the result Search gives", rev, ok, first.Revision)
	}
	eur := mustFilters(t, "q", "phone case", "currency", "EUR")
	if rev, ok := lazy.svc.SearchRevision(eur.Key()); ok {
		t.Errorf("SearchRevision of a search not made yet = %d; want none", rev)
	}
	if other, _ := lazy.svc.Search(ctx, eur); other.Revision == first.Revision {
		t.Error("another search has the same revision")
	}
	// The EUR search stored entries: the USD one is to be looked at again before it is named.
	if rev, ok := lazy.svc.SearchRevision(f.Key()); ok {
		t.Errorf("SearchRevision after a cache write = %d; want none until Search looked again", rev)
	}
	if again, _ := lazy.svc.Search(ctx, f); again.Revision != first.Revision {
		t.Fatalf("the search after the write: revision %d; want %d", again.Revision, first.Revision)
	}
	ids := []int64{first.Products[0].ID}
	lazy.svc.SearchShipping(ctx, ids, catalog.ProductOptions{ShipTo: f.ShipTo, Currency: f.Currency, Language: f.Language})
	if rev, ok := lazy.svc.SearchRevision(f.Key()); ok {
		t.Errorf("SearchRevision once shipping was fetched = %d; want none until Search filled it in", rev)
	}
	filled, _ := lazy.svc.Search(ctx, f)
	if filled.Revision == first.Revision || filled.Products[0].ShippingPending {
		t.Errorf("after its shipping was fetched: revision %d (was %d), pending %v; want a new revision, shipping filled in",
			filled.Revision, first.Revision, filled.Products[0].ShippingPending)
	}
	if next, _ := lazy.svc.Search(ctx, f); next.Revision != filled.Revision || next.Products[0].ShippingPending {
		t.Errorf("the search after that: revision %d, pending %v; want %d, filled in", next.Revision, next.Products[0].ShippingPending, filled.Revision)
	}
	if rev, ok := lazy.svc.SearchRevision(f.Key()); !ok || rev != filled.Revision {
		t.Errorf("SearchRevision after that = %d, %v; want %d", rev, ok, filled.Revision)
	}
}
