package sourcing_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
)

// TestProductKeptBetweenWrites: a product viewed again is served from the one built the first
// time, each caller owning its copy, until the cache stores anything or keptRecheck passes.
// (The first view loads the product's entries, so the one after it looks at them again.)
func TestProductKeptBetweenWrites(t *testing.T) {
	fx, id := keptFixture(t)
	svc, clk, ctx := fx.svc, fx.clock, context.Background()
	o := catalog.ProductOptions{ShipTo: "US"}
	if _, err := svc.Product(ctx, id, o); err != nil { // loads its entries: the cache changed since
		t.Fatal(err)
	}
	first, err := svc.Product(ctx, id, o)
	if err != nil || len(first.Variants) == 0 {
		t.Fatalf("Product = %d variants, %v", len(first.Variants), err)
	}
	want := cache.Clone(first)
	first.Variants[0].Price.Amount = 1 // the caller's own copy
	first.Shipping = nil
	reads := fx.reads()
	again, err := svc.Product(ctx, id, o)
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("Product again = %v, changed by the first caller or rebuilt differently", err)
	}
	if n := fx.reads(); n != reads {
		t.Errorf("Product again read the cache %d times; want it kept", n-reads)
	}
	if rev, ok := svc.ProductRevision(id, o); !ok || rev == 0 || rev != again.Revision {
		t.Errorf("ProductRevision = %d, %v; want %d, the kept product's", rev, ok, again.Revision)
	}
	if rev, ok := svc.ProductRevision(id, catalog.ProductOptions{ShipTo: "GB"}); ok {
		t.Errorf("ProductRevision to GB, never built = %d; want none", rev)
	}
	if _, err := svc.Product(ctx, id, catalog.ProductOptions{ShipTo: "GB"}); err != nil {
		t.Fatal(err)
	}
	// Another destination was loaded (a cache write): the next view looks at its entries again.
	if rev, ok := svc.ProductRevision(id, o); ok {
		t.Errorf("ProductRevision after a cache write = %d; want none", rev)
	}
	reads = fx.reads()
	rebuilt, _ := svc.Product(ctx, id, o)
	if fx.reads() == reads {
		t.Error("after a cache write, Product did not look at its entries again")
	}
	if rebuilt.Revision == want.Revision {
		t.Error("the product built again kept the old Revision; want a new one")
	}
	if rebuilt.Revision = want.Revision; !reflect.DeepEqual(rebuilt, want) {
		t.Error("the product built again differs from the first, with no data changed")
	}
	reads = fx.reads()
	svc.Product(ctx, id, o)
	if fx.reads() != reads {
		t.Error("with no write since, Product was not kept")
	}
	clk.Add(6 * time.Second)
	if rev, ok := svc.ProductRevision(id, o); ok {
		t.Errorf("ProductRevision after 6 s = %d; want none", rev)
	}
	reads = fx.reads()
	svc.Product(ctx, id, o)
	if fx.reads() == reads {
		t.Error("after 6 s, Product did not look at its entries again")
	}
}

// TestShippingKeptBetweenWrites: a shipping quote asked for again is served from the one built
// the first time, each caller owning its copy, until the cache stores anything or keptRecheck
// passes; another destination is its own quote.
func TestShippingKeptBetweenWrites(t *testing.T) {
	fx, id := keptFixture(t)
	svc, clk, ctx := fx.svc, fx.clock, context.Background()
	us, gb := catalog.ProductOptions{ShipTo: "US"}, catalog.ProductOptions{ShipTo: "GB"}
	if _, err := svc.Shipping(ctx, id, us); err != nil { // loads its entries: the cache changed since
		t.Fatal(err)
	}
	first, err := svc.Shipping(ctx, id, us)
	if err != nil || len(first.Options) == 0 {
		t.Fatalf("Shipping = %d options, %v", len(first.Options), err)
	}
	want := cache.Clone(first)
	first.Options[0].Fee.Amount = 1 // the caller's own copy
	reads := fx.reads()
	again, err := svc.Shipping(ctx, id, us)
	if err != nil || !reflect.DeepEqual(again, want) {
		t.Fatalf("Shipping again = %v, changed by the first caller or rebuilt differently", err)
	}
	if n := fx.reads(); n != reads {
		t.Errorf("Shipping again read the cache %d times; want it kept", n-reads)
	}
	toGB, err := svc.Shipping(ctx, id, gb)
	if err != nil || toGB.ShipTo != "GB" {
		t.Fatalf("Shipping to GB = %q, %v; want its own quote", toGB.ShipTo, err)
	}
	// That loaded GB's entries (a cache write): the US quote is looked at again.
	reads = fx.reads()
	if q, _ := svc.Shipping(ctx, id, us); !reflect.DeepEqual(q, want) || fx.reads() == reads {
		t.Error("after a cache write, Shipping did not look at its entries again")
	}
	clk.Add(6 * time.Second)
	reads = fx.reads()
	svc.Shipping(ctx, id, us)
	if fx.reads() == reads {
		t.Error("after 6 s, Shipping did not look at its entries again")
	}
}

// keptFixture is newFixture with a DS account, and a product its search found.
func keptFixture(t *testing.T) (*fixture, int64) {
	t.Helper()
	fx := newFixture(t, true)
	res, err := fx.svc.Search(context.Background(), mustFilters(t, "q", "phone case"))
	if err != nil || len(res.Products) == 0 {
		t.Fatalf("search: %v", err)
	}
	return fx, res.Products[0].ID
}

// reads is how many times the cache was read so far.
func (f *fixture) reads() uint64 {
	st := f.cache.Stats()
	return st.Hits + st.Misses
}
