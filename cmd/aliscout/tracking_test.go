package main

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/sourcing"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/tracking"
)

// simClock is the simulator's and the store's time: it runs with the wall clock (so that the
// simulator's per-second limits see calls spread as they are) from a start that a test moves
// by whole days.
type simClock struct {
	mu     sync.Mutex
	base   time.Time
	offset time.Duration
	start  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(c.offset + time.Since(c.start))
}

func (c *simClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

type simTracking struct {
	sb    *sandbox.Server
	clock *simClock
	db    *sqlite.DB
	tr    *tracking.Tracker
	users []store.User
}

// newSimTracking is a tracker over the simulator, through the sourcing service as serve wires it:
// the server's own DS session (as on the in-process simulator) for users without an account.
func newSimTracking(t *testing.T) *simTracking {
	t.Helper()
	clk := &simClock{base: time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC), start: time.Now()}
	sb := sandbox.NewServer(sandbox.Options{Now: clk.Now, LaunchedApp: true}) // tokens last 30 days
	t.Cleanup(sb.Close)
	tok, _ := sb.IssueToken(sandbox.DefaultUserNick)
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(sb.URL),
		aliexpress.WithTrackingID("test-track"), aliexpress.WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	svc := sourcing.NewService(c.WithAccessToken(tok), cache.New(cache.NewMemoryStore(cache.MemoryOptions{}), cache.Options{}),
		sourcing.ServiceOptions{DS: true, Simulated: true, Now: clk.Now})
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db.sqlite"), store.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	st := &simTracking{sb: sb, clock: clk, db: db,
		tr: tracking.New(db, &trackingSource{svc: svc}, tracking.Options{Now: clk.Now, Budget: clientBudget{c}})}
	for i := range 2 {
		u, err := db.CreateUser(t.Context(), store.User{Email: fmt.Sprintf("u%d@example.com", i), PasswordHash: "x", Role: store.RoleMember})
		if err != nil {
			t.Fatal(err)
		}
		st.users = append(st.users, u)
	}
	return st
}

func (s *simTracking) watch(t *testing.T, ids []int64, users ...store.User) {
	t.Helper()
	for _, u := range users {
		for _, id := range ids {
			if _, err := s.db.CreateWatch(t.Context(), store.Watch{UserID: u.ID, ProductID: id, Country: "US", Currency: "USD",
				Schedule: store.ScheduleDaily, Rule: "x2 .99", NextCheckAt: s.clock.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// calls counts the simulator's answers per method since the last reset, and the rate-limit ones.
func calls(sb *sandbox.Server) (aff, ds, limited int) {
	for _, c := range sb.Calls() {
		switch c.Method {
		case "aliexpress.affiliate.productdetail.get":
			aff++
		case "aliexpress.ds.product.get":
			ds++
		}
		if c.Code == "ApiCallLimit" {
			limited++
		}
	}
	return aff, ds, limited
}

// TestTrackingOnSimulator checks watched products day by day on the simulator, whose prices and
// stock move with its clock: every check is batched within the target, every change the catalog
// made is one snapshot, and each snapshot differs from the one before.
func TestTrackingOnSimulator(t *testing.T) {
	s := newSimTracking(t)
	ids := s.sb.SampleProductIDs(45)
	s.watch(t, ids, s.users[0])
	s.watch(t, ids[:10], s.users[1]) // the same products twice: one check each

	for day := range 4 {
		s.sb.ResetCalls()
		rep, err := s.tr.Cycle(t.Context())
		if err != nil {
			t.Fatalf("day %d: Cycle: %v", day, err)
		}
		aff, ds, limited := calls(s.sb)
		if rep.Due != 55 || rep.Products != 45 {
			t.Errorf("day %d: %d due, %d products; want 55 watches as 45 products", day, rep.Due, rep.Products)
		}
		if want := (45 + 19) / 20; aff != want || rep.AffiliateCalls != want {
			t.Errorf("day %d: %d productdetail.get calls (report %d); want ceil(45/20) = %d", day, aff, rep.AffiliateCalls, want)
		}
		if ds != rep.DSCalls || ds > 45 || limited != 0 {
			t.Errorf("day %d: %d ds.product.get (report %d), %d ApiCallLimit; want at most one per product, none limited", day, ds, rep.DSCalls, limited)
		}
		t.Logf("day %d: %d affiliate + %d DS calls for 45 products, %d snapshots, %d alerts", day, aff, ds, rep.Snapshots, rep.Alerts)
		// The same day again: nothing is due, nothing is called, no alert repeats.
		s.sb.ResetCalls()
		if again, err := s.tr.Cycle(t.Context()); err != nil || again.Due != 0 || again.Alerts != 0 || len(s.sb.Calls()) != 0 {
			t.Errorf("day %d: a second cycle = %+v, %v, %d calls; want nothing due", day, again, err, len(s.sb.Calls()))
		}
		s.clock.Advance(24 * time.Hour)
	}
	total, _ := s.db.CountSnapshots(t.Context())
	if total < 45 {
		t.Errorf("%d snapshots; want at least one per product", total)
	}
	changed := 0
	for _, id := range ids {
		list, err := s.db.Snapshots(t.Context(), id, "US", "USD", time.Time{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) > 4 {
			t.Errorf("product %d: %d snapshots in 4 daily checks", id, len(list))
		}
		for i := 1; i < len(list); i++ {
			a, _ := tracking.Decode(list[i-1].ID, list[i-1].Data)
			b, _ := tracking.Decode(list[i].ID, list[i].Data)
			if tracking.Same(a, b) {
				t.Errorf("product %d: snapshots %d and %d show the same state", id, i-1, i)
			}
			changed++
		}
	}
	if changed == 0 {
		t.Error("no product changed in 3 simulated days; the test proves nothing")
	}
	alerts, _ := s.db.Alerts(t.Context(), s.users[0].ID, false, 1000)
	t.Logf("%d product changes over 3 days, %d alerts for user 0", changed, len(alerts))
}

// TestTrackingCallsPer1000 measures the calls of one cycle over 1,000 watched products (the
// figure in the README), after a first cycle has seen them all.
func TestTrackingCallsPer1000(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 products")
	}
	s := newSimTracking(t)
	ids := s.sb.SampleProductIDs(1000)
	s.watch(t, ids, s.users[0])
	if _, err := s.tr.Cycle(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(24 * time.Hour)
	s.sb.ResetCalls()
	rep, err := s.tr.Cycle(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	aff, ds, limited := calls(s.sb)
	if aff != 50 || limited != 0 || ds != rep.DSCalls {
		t.Errorf("1,000 products: %d affiliate, %d DS (report %d), %d limited; want 50 affiliate, none limited", aff, ds, rep.DSCalls, limited)
	}
	t.Logf("calls per 1,000 watched products per cycle: %d productdetail.get + %d ds.product.get; %d snapshots written", aff, ds, rep.Snapshots)
}
