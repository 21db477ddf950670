package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// testPrefix returns a key prefix of the test's own, whose keys are deleted when it ends.
func testPrefix(t *testing.T, client *goredis.Client) string {
	var b [8]byte
	rand.Read(b[:])
	prefix := "aliscout-test:" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			client.Del(ctx, iter.Val())
		}
	})
	return prefix
}

func openStore(t *testing.T) *sqlite.DB {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "q.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestTwoBudgetsOnOneRedis: two replicas' budgets on one Redis, each with its own client,
// called at once by several users each, never spend more than the day's budget together.
func TestTwoBudgetsOnOneRedis(t *testing.T) {
	first := redisClient(t)
	prefix := testPrefix(t, first)
	var budgets []*quota.Budget
	for i := range 2 {
		client := first
		if i == 1 {
			client = redisClient(t)
		}
		budgets = append(budgets, quota.NewBudget(NewQuotaCounter(client, QuotaOptions{Prefix: prefix}), quota.NewPolicy(75, 0, 0), nil))
	}
	now := time.Now()
	var admitted atomic.Int64
	var admittedBy [5]atomic.Int64 // by user ID
	var wg sync.WaitGroup
	for i, b := range budgets {
		for u := range 4 {
			wg.Go(func() {
				ctx := quota.WithCaller(t.Context(), int64(u+1), quota.Tracking)
				for range 50 {
					ok, err := b.TakeMethod(ctx, now, "aliexpress.ds.product.get")
					if _, over := quota.IsShareSpent(err); err != nil && !over {
						t.Errorf("budget %d: %v", i, err)
						return
					}
					if ok {
						admitted.Add(1)
						admittedBy[u+1].Add(1)
					}
				}
			})
		}
	}
	wg.Wait()
	used, _, err := budgets[1].Used(t.Context(), now)
	if err != nil || used != 75 || admitted.Load() != 75 {
		t.Errorf("after 400 calls on two budgets: Used = %d, %v; %d admitted; want 75 each", used, err, admitted.Load())
	}
	// The counts reach the store, once however often they are copied.
	db := openStore(t)
	c := NewQuotaCounter(first, QuotaOptions{Prefix: prefix, Now: func() time.Time { return now }})
	for range 2 {
		if err := c.CopyToStore(t.Context(), db); err != nil {
			t.Fatalf("CopyToStore: %v", err)
		}
	}
	// Which users got calls depends on how the goroutines were scheduled (one that starts late may
	// find the day spent), so each user's count is checked against what that user was admitted.
	counts, err := db.QuotaCounts(t.Context(), quota.Day(now), quota.Day(now))
	var sum int64
	users := 0
	for _, c := range counts {
		if c.Method != "aliexpress.ds.product.get" || c.Kind != "tracking" || c.UserID < 1 || c.UserID > 4 {
			t.Errorf("copied count %+v; want user 1-4's tracking calls of aliexpress.ds.product.get", c)
			continue
		}
		if want := admittedBy[c.UserID].Load(); c.Calls != want {
			t.Errorf("the store has %d calls for user %d; want the %d admitted", c.Calls, c.UserID, want)
		}
		sum += c.Calls
	}
	for u := int64(1); u <= 4; u++ {
		if admittedBy[u].Load() > 0 {
			users++
		}
	}
	if err != nil || sum != 75 || len(counts) != users {
		t.Errorf("the store has %d counts of %d calls (%v); want %d users' 75", len(counts), sum, err, users)
	}
	if n, _ := db.QuotaDayTotal(t.Context(), quota.Day(now)); n != 75 {
		t.Errorf("the store's day total = %d; want 75", n)
	}
}

// TestRedisSharesAsTheStoreDoes: the Lua script decides as quota.Policy does: a heavy user
// stops at the reserve and another's searches still get through.
func TestRedisSharesAsTheStoreDoes(t *testing.T) {
	client := redisClient(t)
	b := quota.NewBudget(NewQuotaCounter(client, QuotaOptions{Prefix: testPrefix(t, client)}), quota.NewPolicy(100, 20, 0), nil)
	now := time.Now()
	spend := func(ctx context.Context) (int, error) {
		for n := 0; ; n++ {
			ok, err := b.TakeMethod(ctx, now, "m")
			if !ok {
				return n, err
			}
		}
	}
	n, err := spend(quota.WithCaller(t.Context(), 1, quota.Tracking))
	if _, over := quota.IsShareSpent(err); n != 80 || !over {
		t.Errorf("the heavy user made %d calls and then %v; want 80, then a ShareError", n, err)
	}
	n, err = spend(quota.WithCaller(t.Context(), 2, quota.Interactive))
	if n != 20 || err != nil {
		t.Errorf("the other user made %d calls and then %v; want the reserve's 20, then the budget's end", n, err)
	}
	n, err = spend(quota.WithCaller(t.Context(), 0, quota.System))
	if n != 0 || err != nil {
		t.Errorf("with the budget spent, a call for no user = %d calls, %v; want none", n, err)
	}
}

// TestQuotaFallsBackToTheStore: while Redis is down the store counts, so the budget holds
// across replicas still; the counts there are the store's.
func TestQuotaFallsBackToTheStore(t *testing.T) {
	db := openStore(t)
	c := NewQuotaCounter(unreachableRedis(t), QuotaOptions{Fallback: quota.StoreCounter{Store: db}})
	b := quota.NewBudget(c, quota.NewPolicy(3, 0, 0), nil)
	now := time.Now()
	ctx := quota.WithCaller(t.Context(), 1, quota.Interactive)
	got := 0
	for range 5 {
		if ok, err := b.TakeMethod(ctx, now, "m"); err != nil {
			t.Fatalf("TakeMethod with Redis down: %v", err)
		} else if ok {
			got++
		}
	}
	if n, _ := db.QuotaDayTotal(t.Context(), quota.Day(now)); got != 3 || n != 3 {
		t.Errorf("with Redis down: %d calls admitted, %d counted in the store; want 3 and 3", got, n)
	}
	// Without a fallback the error reaches the caller.
	bare := quota.NewBudget(NewQuotaCounter(unreachableRedis(t), QuotaOptions{}), quota.NewPolicy(3, 0, 0), nil)
	if ok, err := bare.TakeMethod(ctx, now, "m"); ok || err == nil {
		t.Errorf("TakeMethod on a Redis that is down, without a fallback = %v, %v; want an error", ok, err)
	}
}

// TestLimiterSharedBetweenReplicas: two replicas' limiters on one Redis let through no more
// than a method's QPS in any second together.
func TestLimiterSharedBetweenReplicas(t *testing.T) {
	client := redisClient(t)
	prefix := testPrefix(t, client)
	qps := map[string]int{"aliexpress.ds.address.get": 4}
	limiters := []*Limiter{NewLimiter(client, qps, LimiterOptions{Prefix: prefix}), NewLimiter(redisClient(t), qps, LimiterOptions{Prefix: prefix})}
	var mu sync.Mutex
	var starts []time.Time
	var wg sync.WaitGroup
	for _, l := range limiters {
		for range 3 {
			wg.Go(func() {
				for range 2 {
					if err := l.Wait(t.Context(), "aliexpress.ds.address.get"); err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					starts = append(starts, time.Now())
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	// 12 calls at 4 a second: the 5th starts a second after the 1st at the earliest.
	for i := 4; i < len(starts); i++ {
		if d := starts[i].Sub(starts[i-4]); d < 990*time.Millisecond {
			t.Errorf("calls %d and %d started %v apart; want a second at least (4 per second)", i-4, i, d)
		}
	}
	// A method without a limit does not wait, and a cancelled wait ends.
	if err := limiters[0].Wait(t.Context(), "aliexpress.affiliate.product.query"); err != nil {
		t.Errorf("Wait(unlimited method) = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := limiters[0].Wait(ctx, "aliexpress.ds.address.get"); err == nil {
		t.Error("Wait with a cancelled context = nil; want its error")
	}
}

func TestLimiterWithRedisDown(t *testing.T) {
	l := NewLimiter(unreachableRedis(t), map[string]int{"m": 2}, LimiterOptions{})
	start := time.Now()
	for range 3 {
		if err := l.Wait(t.Context(), "m"); err != nil {
			t.Fatalf("Wait with Redis down: %v", err)
		}
	}
	if d := time.Since(start); d < 990*time.Millisecond {
		t.Errorf("3 calls at 2 a second with Redis down took %v; want a second at least", d)
	}
}
