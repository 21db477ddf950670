package quota

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// Call is one call to count.
type Call struct {
	Day    string // the platform day, Day(now)
	Method string
	Caller Caller
}

// Counter is the shared count behind a Budget: in the store (StoreCounter) or in Redis.
type Counter interface {
	// Take asks p whether the call may be made, on the day's state before it, and counts it
	// when it may: atomically for every replica that shares the counter.
	Take(ctx context.Context, c Call, p Policy) (State, Verdict, error)
	// DayTotal returns the day's calls.
	DayTotal(ctx context.Context, day string) (int64, error)
}

// StoreCounter counts in the store, which every replica shares.
type StoreCounter struct{ Store store.Quota }

// Take implements Counter.
func (s StoreCounter) Take(ctx context.Context, c Call, p Policy) (State, Verdict, error) {
	var v Verdict
	st, _, err := s.Store.TakeQuota(ctx, store.QuotaCall{Day: c.Day, UserID: c.Caller.UserID, Method: c.Method, Kind: string(c.Caller.Kind)},
		func(st store.QuotaState) bool {
			v = p.Decide(c.Caller, State(st))
			return v == Admit
		})
	return State(st), v, err
}

// DayTotal implements Counter.
func (s StoreCounter) DayTotal(ctx context.Context, day string) (int64, error) {
	return s.Store.QuotaDayTotal(ctx, day)
}

// Observer is told every decision, for metrics.
type Observer func(c Call, v Verdict)

// Budget is the SDK's Budget (and MethodBudget) over a shared Counter and a Policy. Make it
// with NewBudget.
type Budget struct {
	counter Counter
	policy  Policy
	observe Observer

	// The day's total as last read, for Used: every page's health card shows it, and reading
	// the shared counter on every request cost more than drawing the page. It is read again
	// after a second (other replicas' calls) or after this process took a call.
	mu     sync.Mutex
	seen   int64
	seenOf string    // the day seen counts
	seenAt time.Time // when, on the process's clock; zero: read again
	takes  uint64    // calls taken by this process, so that a reading older than one is dropped
}

// usedFresh bounds how long Used answers from its last reading.
const usedFresh = time.Second

// NewBudget returns a Budget counting in counter by policy; observe may be nil.
func NewBudget(counter Counter, policy Policy, observe Observer) *Budget {
	return &Budget{counter: counter, policy: policy, observe: observe}
}

// Policy returns the budget's policy.
func (b *Budget) Policy() Policy { return b.policy }

// Take counts a call of an unnamed method (the SDK calls TakeMethod).
func (b *Budget) Take(ctx context.Context, now time.Time) (bool, error) {
	return b.TakeMethod(ctx, now, "")
}

// TakeMethod counts one call of method for the caller in ctx, or refuses it: ok false when the
// day's budget is spent, a *ShareError when the caller's share is.
func (b *Budget) TakeMethod(ctx context.Context, now time.Time, method string) (bool, error) {
	c := Call{Day: Day(now), Method: method, Caller: CallerOf(ctx)}
	b.mu.Lock()
	b.seenAt = time.Time{}
	b.takes++
	b.mu.Unlock()
	st, v, err := b.counter.Take(ctx, c, b.policy)
	if err != nil {
		return false, fmt.Errorf("quota: %w", err)
	}
	if b.observe != nil {
		b.observe(c, v)
	}
	switch v {
	case Admit:
		return true, nil
	case ShareSpent:
		return false, &ShareError{UserID: c.Caller.UserID, Used: st.UserCalls, Share: b.policy.ShareOf(st.Users), ResetAt: DayEnd(now)}
	}
	return false, nil
}

// Used returns the calls of the platform day of now, and the budget.
func (b *Budget) Used(ctx context.Context, now time.Time) (int, int, error) {
	day := Day(now)
	b.mu.Lock()
	if b.seenOf == day && !b.seenAt.IsZero() && time.Since(b.seenAt) < usedFresh {
		n := b.seen
		b.mu.Unlock()
		return int(n), int(b.policy.Budget), nil
	}
	takes := b.takes
	b.mu.Unlock()
	read := time.Now()
	n, err := b.counter.DayTotal(ctx, day)
	if err != nil {
		return 0, int(b.policy.Budget), fmt.Errorf("quota: %w", err)
	}
	b.mu.Lock()
	if b.takes == takes {
		b.seen, b.seenOf, b.seenAt = n, day, read
	}
	b.mu.Unlock()
	return int(n), int(b.policy.Budget), nil
}

// IsShareSpent reports whether err is the refusal of a call by a user over their share, and
// returns it.
func IsShareSpent(err error) (*ShareError, bool) {
	var se *ShareError
	ok := errors.As(err, &se)
	return se, ok
}
