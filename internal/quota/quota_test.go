package quota_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/aliexpress/sandbox"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/postgres"
	"github.com/aliscout/aliscout/internal/store/postgres/pgtest"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

func TestDecide(t *testing.T) {
	p := quota.NewPolicy(100, -1, 0) // reserve 20
	user := quota.Caller{UserID: 7, Kind: quota.Tracking}
	tests := []struct {
		name string
		c    quota.Caller
		s    quota.State
		want quota.Verdict
	}{
		{"within share", user, quota.State{Total: 90, UserCalls: 10, Users: 2}, quota.Admit},
		{"budget spent", user, quota.State{Total: 100, UserCalls: 0, Users: 2}, quota.BudgetSpent},
		{"beyond share, more than the reserve left", user, quota.State{Total: 50, UserCalls: 45, Users: 2}, quota.Admit},
		{"beyond share, only the reserve left", user, quota.State{Total: 80, UserCalls: 60, Users: 2}, quota.ShareSpent},
		{"no user uses the reserve", quota.Caller{Kind: quota.System}, quota.State{Total: 99, Users: 2}, quota.Admit},
		{"alone: share is what the reserve leaves", user, quota.State{Total: 79, UserCalls: 79, Users: 1}, quota.Admit},
		{"alone, share spent at the reserve", user, quota.State{Total: 80, UserCalls: 80, Users: 1}, quota.ShareSpent},
	}
	for _, tt := range tests {
		if got := p.Decide(tt.c, tt.s); got != tt.want {
			t.Errorf("%s: Decide(%+v, %+v) = %v; want %v", tt.name, tt.c, tt.s, got, tt.want)
		}
	}
	if got := quota.NewPolicy(0, -1, 0).Decide(user, quota.State{Total: 1e9, UserCalls: 1e9}); got != quota.Admit {
		t.Errorf("no budget: Decide = %v; want Admit", got)
	}
	if got := quota.NewPolicy(100, 10, 5).ShareOf(3); got != 5 {
		t.Errorf("a fixed share: ShareOf = %d; want 5", got)
	}
}

func TestDayAndCaller(t *testing.T) {
	// 23:30 UTC on Dec 31 is 07:30 on Jan 1 in GMT+8.
	now := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	if got := quota.Day(now); got != "2027-01-01" {
		t.Errorf("Day(%v) = %q; want 2027-01-01", now, got)
	}
	if got, want := quota.DayEnd(now), time.Date(2027, 1, 1, 16, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DayEnd(%v) = %v; want %v", now, got, want)
	}
	ctx := quota.WithCaller(context.Background(), 4, quota.Tracking)
	if c := quota.CallerOf(ctx); c != (quota.Caller{UserID: 4, Kind: quota.Tracking}) {
		t.Errorf("CallerOf = %+v", c)
	}
	if c := quota.CallerOf(context.Background()); c.UserID != 0 || c.Kind != quota.System {
		t.Errorf("CallerOf(no caller) = %+v; want the system", c)
	}
	for _, m := range []string{"aliexpress.ds.product.get", "aliexpress.trade.ds.order.get"} {
		if !quota.DSMethod(m) {
			t.Errorf("DSMethod(%q) = false", m)
		}
	}
	if quota.DSMethod("aliexpress.affiliate.product.query") || quota.DSMethod("aliexpress.trade.buy.placeorder") {
		t.Error("DSMethod is true for a method outside ds.* and trade.ds.*")
	}
}

func openSQLite(t *testing.T) store.Store {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestTwoBudgetsOnOneStore: two replicas' budgets on one PostgreSQL database, called
// concurrently by several users, never spend more than the day's budget together.
func TestTwoBudgetsOnOneStore(t *testing.T) {
	url := pgtest.FreshDatabase(t)
	var budgets []*quota.Budget
	for range 2 {
		db, err := postgres.Open(t.Context(), url, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		budgets = append(budgets, quota.NewBudget(quota.StoreCounter{Store: db}, quota.NewPolicy(60, 0, 0), nil))
	}
	spendConcurrently(t, budgets, 60)
}

// spendConcurrently has 4 users per budget take 40 calls each at once, and checks that exactly
// limit were admitted and counted.
func spendConcurrently(t *testing.T, budgets []*quota.Budget, limit int) {
	t.Helper()
	now := time.Now()
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for i, b := range budgets {
		for u := range 4 {
			wg.Go(func() {
				ctx := quota.WithCaller(t.Context(), int64(u+1), quota.Tracking)
				for range 40 {
					ok, err := b.TakeMethod(ctx, now, "aliexpress.ds.product.get")
					if _, over := quota.IsShareSpent(err); err != nil && !over {
						t.Errorf("budget %d: TakeMethod: %v", i, err)
						return
					}
					if ok {
						admitted.Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	used, lim, err := budgets[0].Used(t.Context(), now)
	if err != nil || used != limit || lim != limit || admitted.Load() != int64(limit) {
		t.Errorf("after 320 calls on %d budgets: Used = %d, %d, %v; %d admitted; want %d used and admitted", len(budgets), used, lim, err, admitted.Load(), limit)
	}
}

// TestHeavyUserCannotStarveOthers: a user who tracks without end stops at the reserve; another
// user's searches then still get through, and the first is told when their share resets.
func TestHeavyUserCannotStarveOthers(t *testing.T) {
	b := quota.NewBudget(quota.StoreCounter{Store: openSQLite(t)}, quota.NewPolicy(100, 20, 0), nil)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	heavy := quota.WithCaller(t.Context(), 1, quota.Tracking)
	n := 0
	var refusal error
	for range 1000 {
		ok, err := b.TakeMethod(heavy, now, "aliexpress.ds.product.get")
		if !ok {
			refusal = err
			break
		}
		n++
	}
	if n != 80 {
		t.Errorf("the heavy user made %d calls; want 80 (the budget less the reserve)", n)
	}
	se, ok := quota.IsShareSpent(refusal)
	if !ok {
		t.Fatalf("the heavy user's refusal = %v; want a *ShareError", refusal)
	}
	if want := time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC); !se.ResetAt.Equal(want) || !strings.Contains(se.Error(), "16:00 UTC") {
		t.Errorf("ShareError resets at %v (%q); want %v", se.ResetAt, se.Error(), want)
	}
	light := quota.WithCaller(t.Context(), 2, quota.Interactive)
	m := 0
	for range 1000 {
		ok, err := b.TakeMethod(light, now, "aliexpress.affiliate.product.query")
		if err != nil {
			t.Fatalf("the light user's call %d: %v", m+1, err)
		}
		if !ok {
			break
		}
		m++
	}
	if m != 20 {
		t.Errorf("the light user made %d searches after the heavy user; want the 20 of the reserve", m)
	}
	// The next platform day starts afresh.
	if ok, err := b.TakeMethod(heavy, now.Add(6*time.Hour), "aliexpress.ds.product.get"); !ok || err != nil {
		t.Errorf("the heavy user's first call of the next day = %v, %v; want it made", ok, err)
	}
}

// TestClientRefusesOverShare: through the SDK, a user over their share gets ErrBudgetExhausted
// with the ShareError inside, and no call reaches the gateway.
func TestClientRefusesOverShare(t *testing.T) {
	srv := sandbox.NewServer(sandbox.Options{})
	t.Cleanup(srv.Close)
	db := openSQLite(t)
	b := quota.NewBudget(quota.StoreCounter{Store: db}, quota.NewPolicy(10, 50, 0), nil) // share 5
	c, err := aliexpress.NewClient(sandbox.DefaultAppKey, sandbox.DefaultAppSecret, aliexpress.WithGateway(srv.URL), aliexpress.WithBudget(b))
	if err != nil {
		t.Fatal(err)
	}
	ctx := quota.WithCaller(t.Context(), 3, quota.Interactive)
	const method = "aliexpress.affiliate.category.get"
	for i := range 5 {
		if _, _, err := c.Call(ctx, method, nil, true); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, _, err = c.Call(ctx, method, nil, true)
	if !errors.Is(err, aliexpress.ErrBudgetExhausted) {
		t.Fatalf("the sixth call = %v; want ErrBudgetExhausted", err)
	}
	if _, ok := quota.IsShareSpent(err); !ok {
		t.Errorf("the sixth call's error %v holds no *ShareError", err)
	}
	counts, err := db.QuotaCounts(t.Context(), quota.Day(time.Now()), quota.Day(time.Now()))
	if err != nil || len(counts) != 1 || counts[0].Method != method || counts[0].Calls != 5 || counts[0].UserID != 3 || counts[0].Kind != "interactive" {
		t.Errorf("QuotaCounts = %+v, %v; want 5 interactive calls of %s by user 3", counts, err, method)
	}
}

// countingCounter counts the readings of its day total.
type countingCounter struct {
	quota.Counter
	reads int
}

func (c *countingCounter) DayTotal(ctx context.Context, day string) (int64, error) {
	c.reads++
	return c.Counter.DayTotal(ctx, day)
}

// TestUsedReadsTheCounterOnceASecond: every page's health card asks Used, so it reads the
// shared counter at most once a second, but at once after this process took a call, so its
// figure never lags this process's own calls.
func TestUsedReadsTheCounterOnceASecond(t *testing.T) {
	ctx := context.Background()
	cc := &countingCounter{Counter: quota.StoreCounter{Store: openSQLite(t)}}
	b := quota.NewBudget(cc, quota.NewPolicy(10, 0, 0), nil)
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for range 5 {
		if n, budget, err := b.Used(ctx, now); err != nil || n != 0 || budget != 10 {
			t.Fatalf("Used = %d of %d, %v; want 0 of 10", n, budget, err)
		}
	}
	if cc.reads != 1 {
		t.Errorf("5 Used within a second read the counter %d times; want 1", cc.reads)
	}
	if ok, err := b.Take(ctx, now); !ok || err != nil {
		t.Fatalf("Take = %v, %v", ok, err)
	}
	if n, _, _ := b.Used(ctx, now); n != 1 || cc.reads != 2 {
		t.Errorf("Used after a call = %d (%d readings); want 1, read again", n, cc.reads)
	}
	if n, _, _ := b.Used(ctx, now.Add(24*time.Hour)); n != 0 || cc.reads != 3 {
		t.Errorf("Used on the next day = %d (%d readings); want 0, read again", n, cc.reads)
	}
}
