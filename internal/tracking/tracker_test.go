package tracking

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// fakeSource is a catalog that a test changes by hand: the cases the generated world cannot be
// told to do (a product gone, a variant added) on demand.
type fakeSource struct {
	mu       sync.Mutex
	batch    int
	products map[int64]catalog.Product // absent: gone
	noDS     map[int64]bool            // users without a connected account
	limitAt  int                       // the Details call number that answers rate-limited; 0 never
	details  [][]int64
	ds       []int64
}

func (f *fakeSource) BatchSize() int { return f.batch }

func (f *fakeSource) Details(ctx context.Context, ids []int64, country, currency string) (map[int64]catalog.Product, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.details = append(f.details, slices.Clone(ids))
	if len(f.details) == f.limitAt {
		return nil, &catalog.Error{Code: catalog.ERateLimited, Message: "ApiCallLimit"}
	}
	if len(ids) > f.batch {
		return nil, fmt.Errorf("%d ids, more than %d", len(ids), f.batch)
	}
	out := map[int64]catalog.Product{}
	for _, id := range ids {
		if p, ok := f.products[id]; ok {
			aff := p
			aff.Variants = nil
			aff.Shipping = nil
			out[id] = aff
		}
	}
	return out, nil
}

func (f *fakeSource) Variants(ctx context.Context, userID, id int64, country, currency string) (catalog.Product, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.noDS[userID] {
		return catalog.Product{}, &catalog.Error{Code: catalog.EConfig, Message: "no account"}
	}
	f.ds = append(f.ds, id)
	p, ok := f.products[id]
	if !ok {
		return catalog.Product{}, &catalog.Error{Code: catalog.ENotFound, Message: "gone"}
	}
	p.Variants = slices.Clone(p.Variants)
	return p, nil
}

func (f *fakeSource) set(id int64, fn func(p *catalog.Product)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.products[id]
	p.Variants = slices.Clone(p.Variants)
	fn(&p)
	f.products[id] = p
}

func usd(a int64) catalog.Money { return catalog.Money{Amount: a, Currency: "USD"} }

func product(id int64, prices ...int64) catalog.Product {
	p := catalog.Product{ID: id, Title: fmt.Sprintf("Product %d", id), Price: usd(prices[0]), Orders30d: 100, ShipTo: "US",
		Options:  []catalog.Option{{Name: "Color"}},
		Shipping: []catalog.ShippingOption{{Fee: usd(199), MinDays: 7, MaxDays: 12}}}
	for i, pr := range prices {
		p.Variants = append(p.Variants, catalog.Variant{SKUID: fmt.Sprintf("%d-%d", id, i), Values: []string{fmt.Sprintf("c%d", i)},
			Price: usd(pr), Stock: 50})
		if pr < p.Price.Amount {
			p.Price = usd(pr)
		}
	}
	return p
}

type world struct {
	st    store.Store
	src   *fakeSource
	tr    *Tracker
	now   time.Time
	users []store.User
}

func newWorld(t *testing.T, products ...catalog.Product) *world {
	t.Helper()
	w := &world{now: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC),
		src: &fakeSource{batch: 20, products: map[int64]catalog.Product{}, noDS: map[int64]bool{}}}
	for _, p := range products {
		w.src.products[p.ID] = p
	}
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db.sqlite"), store.Options{Now: func() time.Time { return w.now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.st = db
	w.tr = New(db, w.src, Options{Now: func() time.Time { return w.now }})
	for i := range 2 {
		u, err := db.CreateUser(t.Context(), store.User{Email: fmt.Sprintf("u%d@example.com", i), PasswordHash: "x", Role: store.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		w.users = append(w.users, u)
	}
	return w
}

func (w *world) watch(t *testing.T, user store.User, id int64, rules string) store.Watch {
	t.Helper()
	wa, err := w.st.CreateWatch(t.Context(), store.Watch{UserID: user.ID, ProductID: id, Country: "US", Currency: "USD",
		Schedule: store.ScheduleDaily, Rule: "x2 .99", AlertRules: rules, NextCheckAt: w.now})
	if err != nil {
		t.Fatal(err)
	}
	return wa
}

func (w *world) day(t *testing.T) CycleReport {
	t.Helper()
	rep, err := w.tr.Cycle(t.Context())
	if err != nil {
		t.Fatalf("Cycle: %v", err)
	}
	w.now = w.now.Add(24 * time.Hour)
	return rep
}

func kinds(t *testing.T, st store.Store, user int64) []string {
	t.Helper()
	as, err := st.Alerts(t.Context(), user, false, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range slices.Backward(as) {
		out = append(out, fmt.Sprintf("%s %d", a.Kind, a.ProductID))
	}
	return out
}

func TestTrackerRecordsChangesAndAlertsOnce(t *testing.T) {
	w := newWorld(t, product(1, 1000, 1200), product(2, 500), product(3, 800, 850))
	ctx := t.Context()
	ana, bob := w.users[0], w.users[1]
	for _, id := range []int64{1, 2, 3} {
		w.watch(t, ana, id, "")
	}
	w.watch(t, bob, 1, `{"no_price":true}`) // bob wants no price alerts

	rep := w.day(t) // day 0: first sight of everything
	if rep.Products != 3 || rep.Snapshots != 3 || rep.Alerts != 0 || rep.AffiliateCalls != 1 {
		t.Errorf("day 0 = %+v; want 3 products (4 watches) in one call, 3 snapshots, no alert", rep)
	}
	rep = w.day(t) // day 1: nothing changed
	if rep.Snapshots != 0 || rep.Alerts != 0 {
		t.Errorf("day 1 (no change) = %+v; want no snapshot, no alert", rep)
	}

	// Day 2: product 1's first variant costs more, product 2 is gone, product 3 gets a variant.
	w.src.set(1, func(p *catalog.Product) { p.Variants[0].Price = usd(1100) })
	w.src.mu.Lock()
	delete(w.src.products, 2)
	w.src.mu.Unlock()
	w.src.set(3, func(p *catalog.Product) {
		p.Variants = append(p.Variants, catalog.Variant{SKUID: "3-new", Values: []string{"red"}, Price: usd(900), Stock: 3})
	})
	rep = w.day(t)
	if rep.Snapshots != 3 || rep.Gone != 1 {
		t.Errorf("day 2 = %+v; want 3 snapshots, 1 gone", rep)
	}
	// Day 3: the same state again: nothing new, no alert repeated.
	rep = w.day(t)
	if rep.Snapshots != 0 || rep.Alerts != 0 {
		t.Errorf("day 3 (no change) = %+v; want nothing", rep)
	}
	// Day 4: product 3's first variant sells out.
	w.src.set(3, func(p *catalog.Product) { p.Variants[0].Stock = 0 })
	w.day(t)

	got := kinds(t, w.st, ana.ID)
	want := []string{"price_up 1", "gone 2", "variant_added 3", "out_of_stock 3"}
	if !slices.Equal(sorted(got[:3]), sorted(want[:3])) || got[3] != want[3] || len(got) != 4 {
		t.Errorf("ana's alerts = %q; want %q", got, want)
	}
	if got := kinds(t, w.st, bob.ID); len(got) != 0 {
		t.Errorf("bob's alerts = %q; want none (he turned price alerts off)", got)
	}

	// History: product 1 has exactly two snapshots, the second with the new price.
	snaps, err := w.st.Snapshots(ctx, 1, "US", "USD", time.Time{}, 100)
	if err != nil || len(snaps) != 2 {
		t.Fatalf("Snapshots(1) = %d, %v; want 2", len(snaps), err)
	}
	s1, _ := Decode(snaps[1].ID, snaps[1].Data)
	if v, _ := s1.Variant("1-0"); v.Price != 1100 {
		t.Errorf("product 1's second snapshot has variant 1-0 at %d; want 1100", v.Price)
	}

	// Price updates: product 1's changed variant (new store price from x2 .99), product 2's
	// variant at stock 0, product 3's sold-out variant; not the unchanged ones.
	ups, err := PriceUpdates(ctx, w.st, ana.ID)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, u := range ups {
		rows = append(rows, fmt.Sprintf("%s %s→%s stock %d", u.SKU, u.OldPrice.Decimal(), u.NewPrice.Decimal(), u.Stock))
	}
	wantRows := []string{"1-0 20.99→22.99 stock 50", "2-0 10.99→10.99 stock 0", "3-0 16.99→16.99 stock 0"}
	if !slices.Equal(rows, wantRows) {
		t.Errorf("PriceUpdates = %q; want %q", rows, wantRows)
	}
	if err := w.st.SetWatchBaseline(ctx, ana.ID, 0); err != nil {
		t.Fatal(err)
	}
	if ups, _ := PriceUpdates(ctx, w.st, ana.ID); len(ups) != 0 {
		t.Errorf("PriceUpdates after applying = %v; want none", ups)
	}
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

func TestTrackerBatchesAndCountsCalls(t *testing.T) {
	var ps []catalog.Product
	for i := range 45 {
		if i%3 == 0 {
			ps = append(ps, product(int64(100+i), 700, 900)) // has variants
		} else {
			ps = append(ps, product(int64(100+i), 700))
		}
	}
	w := newWorld(t, ps...)
	for _, p := range ps {
		w.watch(t, w.users[0], p.ID, "")
		w.watch(t, w.users[1], p.ID, "") // the same product twice: one check
	}
	w.day(t) // first sight asks DS for every product
	w.src.details, w.src.ds = nil, nil
	w.src.set(101, func(p *catalog.Product) { p.Variants[0].Price = usd(650); p.Price = usd(650) })
	rep := w.day(t)
	if len(w.src.details) != 3 || rep.AffiliateCalls != 3 { // ceil(45/20)
		t.Errorf("affiliate calls = %d (report %d); want ceil(45/20) = 3", len(w.src.details), rep.AffiliateCalls)
	}
	// DS only for the 15 products with variants and the one whose price moved.
	if len(w.src.ds) != 16 || rep.DSCalls != 16 {
		t.Errorf("DS calls = %d (report %d); want 16", len(w.src.ds), rep.DSCalls)
	}
	if rep.Due != 90 || rep.Products != 45 {
		t.Errorf("report = %+v; want 90 watches due, 45 products", rep)
	}
}

func TestTrackerPostponesOnRateLimit(t *testing.T) {
	var ps []catalog.Product
	for i := range 50 {
		ps = append(ps, product(int64(100+i), 700))
	}
	w := newWorld(t, ps...)
	for _, p := range ps {
		w.watch(t, w.users[0], p.ID, "")
	}
	w.src.limitAt = 2
	rep, err := w.tr.Cycle(t.Context())
	if !errors.Is(err, ErrPostponed) {
		t.Fatalf("Cycle with a rate limit = %v; want ErrPostponed", err)
	}
	if rep.Products != 20 || rep.Postponed != 30 {
		t.Errorf("report = %+v; want 20 checked, 30 postponed", rep)
	}
	due, _ := w.st.DueWatches(t.Context(), w.now.Add(rep.Retry), 100)
	if len(due) != 30 {
		t.Errorf("due after the backoff = %d; want the 30 postponed", len(due))
	}
	w.now = w.now.Add(rep.Retry)
	rep, err = w.tr.Cycle(t.Context())
	if err != nil || rep.Products != 30 || rep.Snapshots != 30 {
		t.Errorf("next cycle = %+v, %v; want the 30 others, each checked once", rep, err)
	}
	if n, _ := w.st.CountSnapshots(t.Context()); n != 50 {
		t.Errorf("snapshots = %d; want 50, one per product", n)
	}
}

type budget struct{ used, limit int }

func (b budget) Used(ctx context.Context, now time.Time) (int, int, error) {
	return b.used, b.limit, nil
}

func TestTrackerStopsAtBudgetShare(t *testing.T) {
	w := newWorld(t, product(1, 100))
	w.watch(t, w.users[0], 1, "")
	w.tr.opts.Budget = budget{used: 600, limit: 1000}
	rep, err := w.tr.Cycle(t.Context())
	if !errors.Is(err, ErrPostponed) || rep.Postponed != 1 || len(w.src.details) != 0 {
		t.Errorf("Cycle over budget = %+v, %v, %d calls; want postponed, no call", rep, err, len(w.src.details))
	}
	w.tr.opts.Budget = budget{used: 400, limit: 1000}
	w.now = w.now.Add(rep.Retry)
	if rep, err := w.tr.Cycle(t.Context()); err != nil || rep.Products != 1 {
		t.Errorf("Cycle under budget = %+v, %v; want the product checked", rep, err)
	}
}
