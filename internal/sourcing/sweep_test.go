package sourcing

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
)

// fakeNow is a clock the test moves.
type fakeNow struct{ ns atomic.Int64 }

func (c *fakeNow) Now() time.Time               { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeNow) add(d time.Duration)          { c.ns.Add(int64(d)) }
func newFakeNow(t time.Time) *fakeNow           { c := &fakeNow{}; c.ns.Store(t.UnixNano()); return c }
func lenUnder(mu *sync.Mutex, n func() int) int { mu.Lock(); defer mu.Unlock(); return n() }

// waitLen waits up to 5 s for n() (read under mu) to reach want.
func waitLen(t *testing.T, what string, mu *sync.Mutex, n func() int, want int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		got := lenUnder(mu, n)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d entries after 5 s; want %d", what, got, want)
		}
	}
}

// TestSearchMemoDropsEndedResults: a remembered search result leaves memory once it has ended,
// with no other search to make room for; one that has not ended stays, and once the memo is
// empty no sweep is left waiting.
func TestSearchMemoDropsEndedResults(t *testing.T) {
	clk := newFakeNow(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	s := &Service{opts: ServiceOptions{Now: clk.Now, MemoFor: 20 * time.Millisecond}, memo: &searchMemo{m: map[string]memoEntry{}}}
	n := func() int { return len(s.memo.m) }
	res := catalog.SearchResult{Products: []catalog.Product{{ID: 1, Title: "case"}}}
	s.memoPut("early", res)
	clk.add(10 * time.Millisecond) // on the memo's clock, not the timer's
	s.memoPut("late", res)

	time.Sleep(100 * time.Millisecond) // sweeps ran, the memo's clock stood still: nothing ended
	if got := lenUnder(&s.memo.mu, n); got != 2 {
		t.Fatalf("%d results remembered before any ended; want 2", got)
	}
	clk.add(15 * time.Millisecond) // "early" ended, "late" has 15 ms left
	waitLen(t, "after the first result ended", &s.memo.mu, n, 1)
	if _, _, ok := s.memoGet("late"); !ok {
		t.Error(`the result that has not ended ("late") was dropped`)
	}
	clk.add(15 * time.Millisecond)
	waitLen(t, "after both ended", &s.memo.mu, n, 0)
	time.Sleep(50 * time.Millisecond)
	s.memo.mu.Lock()
	defer s.memo.mu.Unlock()
	if s.memo.sweeping {
		t.Error("a sweep is still due with the memo empty")
	}
}

// TestKeptMemoDropsEndedAnswers: a kept answer leaves memory once keptRecheck has passed since it
// was built, with nothing else put.
func TestKeptMemoDropsEndedAnswers(t *testing.T) {
	clk := newFakeNow(time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC))
	m := &keptMemo[catalog.Product]{clone: catalog.Product.Clone, now: clk.Now, sweepEvery: 10 * time.Millisecond}
	n := func() int { return len(m.m) }
	m.put(keptKey{id: 1}, catalog.Product{ID: 1}, clk.Now(), 0)
	clk.add(keptRecheck / 2)
	m.put(keptKey{id: 2}, catalog.Product{ID: 2}, clk.Now(), 0)

	time.Sleep(60 * time.Millisecond)
	if got := lenUnder(&m.mu, n); got != 2 {
		t.Fatalf("%d answers kept before any ended; want 2", got)
	}
	clk.add(keptRecheck / 2)
	waitLen(t, "after the first answer ended", &m.mu, n, 1)
	if _, _, ok := m.get(keptKey{id: 2}, clk.Now(), 0); !ok {
		t.Error("the answer that has not ended was dropped")
	}
	clk.add(keptRecheck / 2)
	waitLen(t, "after both ended", &m.mu, n, 0)
}
