package storetest

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/aliscout/aliscout/internal/store"
)

func always(store.QuotaState) bool { return true }

func testQuota(t *testing.T, open Opener) {
	s := open(t, store.Options{})
	ctx := ctxFor(t)
	day := "2026-12-01"
	take := func(user int64, method, kind string, admit func(store.QuotaState) bool) (store.QuotaState, bool) {
		t.Helper()
		st, ok, err := s.TakeQuota(ctx, store.QuotaCall{Day: day, UserID: user, Method: method, Kind: kind}, admit)
		if err != nil {
			t.Fatalf("TakeQuota(user %d, %s): %v", user, method, err)
		}
		return st, ok
	}
	st, ok := take(1, "aliexpress.ds.product.get", "interactive", always)
	if want := (store.QuotaState{Total: 0, UserCalls: 0, Users: 1}); !ok || st != want {
		t.Errorf("first TakeQuota = %+v, %v; want %+v, true", st, ok, want)
	}
	take(1, "aliexpress.ds.product.get", "interactive", always)
	take(1, "aliexpress.ds.freight.query", "tracking", always)
	st, _ = take(2, "aliexpress.affiliate.product.query", "interactive", always)
	if want := (store.QuotaState{Total: 3, UserCalls: 0, Users: 2}); st != want {
		t.Errorf("a second user's first TakeQuota saw %+v; want %+v", st, want)
	}
	take(0, "aliexpress.ds.product.get", "system", always)
	st, _ = take(1, "x", "interactive", func(store.QuotaState) bool { return false })
	if want := (store.QuotaState{Total: 5, UserCalls: 3, Users: 2}); st != want {
		t.Errorf("TakeQuota saw %+v; want %+v (the user without id is no user)", st, want)
	}
	// A refused call counts nothing.
	if n, err := s.QuotaDayTotal(ctx, day); err != nil || n != 5 {
		t.Errorf("QuotaDayTotal = %d, %v; want 5 (a refused call is not counted)", n, err)
	}
	if n, err := s.QuotaDayTotal(ctx, "2026-12-02"); err != nil || n != 0 {
		t.Errorf("QuotaDayTotal(another day) = %d, %v; want 0", n, err)
	}
	// Another day starts afresh.
	if st, _, err := s.TakeQuota(ctx, store.QuotaCall{Day: "2026-12-02", UserID: 1, Method: "m", Kind: "interactive"}, always); err != nil || st.Total != 0 || st.UserCalls != 0 {
		t.Errorf("TakeQuota on the next day saw %+v, %v; want zero counts", st, err)
	}
	got, err := s.QuotaCounts(ctx, "2026-12-01", "2026-12-01")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.QuotaCount{
		{Day: day, UserID: 0, Method: "aliexpress.ds.product.get", Kind: "system", Calls: 1},
		{Day: day, UserID: 1, Method: "aliexpress.ds.freight.query", Kind: "tracking", Calls: 1},
		{Day: day, UserID: 1, Method: "aliexpress.ds.product.get", Kind: "interactive", Calls: 2},
		{Day: day, UserID: 2, Method: "aliexpress.affiliate.product.query", Kind: "interactive", Calls: 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("QuotaCounts (-want +got):\n%s", diff)
	}
	if all, _ := s.QuotaCounts(ctx, "2026-11-30", "2026-12-31"); len(all) != 5 {
		t.Errorf("QuotaCounts over two days = %d counts; want 5", len(all))
	}
	_, _, err = s.TakeQuota(ctx, store.QuotaCall{Day: "1 Dec", UserID: 1, Method: "m"}, always)
	if !errors.Is(err, store.ErrInvalid) {
		t.Errorf("TakeQuota(day %q) = %v; want ErrInvalid", "1 Dec", err)
	}
}

// testQuotaRace: concurrent callers never count past what admit allows, whoever they are.
func testQuotaRace(t *testing.T, open Opener) {
	s := open(t, store.Options{})
	ctx := ctxFor(t)
	const limit = 40
	var admitted atomic.Int64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 10 {
				_, ok, err := s.TakeQuota(ctx, store.QuotaCall{Day: "2026-12-01", UserID: int64(g%3 + 1), Method: "m", Kind: "interactive"},
					func(st store.QuotaState) bool { return st.Total < limit })
				if err != nil {
					t.Errorf("TakeQuota: %v", err)
					return
				}
				if ok {
					admitted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	n, err := s.QuotaDayTotal(ctx, "2026-12-01")
	if err != nil || n != limit || admitted.Load() != limit {
		t.Errorf("after 80 concurrent calls against a limit of %d: total %d (%v), %d admitted; want %d each", limit, n, err, admitted.Load(), limit)
	}
}

func testRaiseQuotaCounts(t *testing.T, open Opener) {
	s := open(t, store.Options{})
	ctx := ctxFor(t)
	day := "2026-12-01"
	if _, _, err := s.TakeQuota(ctx, store.QuotaCall{Day: day, UserID: 1, Method: "a", Kind: "interactive"}, always); err != nil {
		t.Fatal(err)
	}
	counts := []store.QuotaCount{
		{Day: day, UserID: 1, Method: "a", Kind: "interactive", Calls: 5},
		{Day: day, UserID: 2, Method: "b", Kind: "tracking", Calls: 3},
	}
	for range 2 { // twice: harmless
		if err := s.RaiseQuotaCounts(ctx, counts); err != nil {
			t.Fatalf("RaiseQuotaCounts: %v", err)
		}
	}
	// Lower counts leave higher ones alone.
	if err := s.RaiseQuotaCounts(ctx, []store.QuotaCount{{Day: day, UserID: 1, Method: "a", Kind: "interactive", Calls: 2}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.QuotaCounts(ctx, day, day)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(counts, got); diff != "" {
		t.Errorf("QuotaCounts after RaiseQuotaCounts (-want +got):\n%s", diff)
	}
	if n, _ := s.QuotaDayTotal(ctx, day); n != 8 {
		t.Errorf("QuotaDayTotal = %d; want 8", n)
	}
}

func testOperatorNotices(t *testing.T, open Opener) {
	s := open(t, store.Options{})
	ctx := ctxFor(t)
	for i, want := range []bool{true, false} {
		if got, err := s.RecordOperatorNotice(ctx, "2026-12", "projected_fail"); err != nil || got != want {
			t.Errorf("RecordOperatorNotice #%d = %v, %v; want %v", i+1, got, err, want)
		}
	}
	if got, err := s.RecordOperatorNotice(ctx, "2026-12", "previous_failed"); err != nil || !got {
		t.Errorf("RecordOperatorNotice(another condition) = %v, %v; want true", got, err)
	}
	if got, err := s.RecordOperatorNotice(ctx, "2027-01", "projected_fail"); err != nil || !got {
		t.Errorf("RecordOperatorNotice(another month) = %v, %v; want true", got, err)
	}
	if _, err := s.RecordOperatorNotice(ctx, "", "x"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("RecordOperatorNotice(no period) = %v; want ErrInvalid", err)
	}
}
