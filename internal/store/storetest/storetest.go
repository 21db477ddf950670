// Package storetest is the behaviour suite that every store engine passes: the same tests run
// against SQLite and PostgreSQL, so code above the store can rely on one behaviour.
//
// An engine's test calls Run with a function that opens a fresh, empty, migrated store:
//
//	func TestStore(t *testing.T) {
//		storetest.Run(t, func(t *testing.T, opts store.Options) store.Store { ... })
//	}
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/store"
)

// Opener opens a fresh, empty, migrated store with opts and closes it when t ends.
type Opener func(t *testing.T, opts store.Options) store.Store

// Run runs the whole suite against the engine that open opens. Each test gets a store of its own
// and runs in parallel with the others.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open Opener)
	}{
		{"Users", testUsers},
		{"UserErrors", testUserErrors},
		{"UniqueEmailRace", testUniqueEmailRace},
		{"FirstUserRace", testFirstUserRace},
		{"DeleteUserCascades", testDeleteUserCascades},
		{"Invitations", testInvitations},
		{"InvitationUseRace", testInvitationUseRace},
		{"Sessions", testSessions},
		{"SessionIdleExpiry", testSessionIdleExpiry},
		{"SessionAbsoluteExpiry", testSessionAbsoluteExpiry},
		{"SessionOwnership", testSessionOwnership},
		{"APITokens", testAPITokens},
		{"Throttles", testThrottles},
		{"ThrottleRace", testThrottleRace},
		{"Lists", testLists},
		{"ListOwnership", testListOwnership},
		{"SaveItemUpserts", testSaveItemUpserts},
		{"MoveAndDeleteItems", testMoveAndDeleteItems},
		{"ConcurrentSaveItem", testConcurrentSaveItem},
		{"TxRollsBack", testTxRollsBack},
		{"TxPanicRollsBack", testTxPanicRollsBack},
		{"TxCommits", testTxCommits},
		{"NestedTx", testNestedTx},
		{"Times", testTimes},
		{"ConnectedAccounts", testConnectedAccounts},
		{"FirstAccountsRace", testFirstAccountsRace},
		{"TokenRefreshRows", testTokenRefreshRows},
		{"ExpiryNotices", testExpiryNotices},
		{"Outbox", testOutbox},
		{"OAuthStates", testOAuthStates},
		{"OAuthStatesWithoutSession", testOAuthStatesWithoutSession},
		{"StoreURL", testStoreURL},
		{"Quota", testQuota},
		{"QuotaRace", testQuotaRace},
		{"RaiseQuotaCounts", testRaiseQuotaCounts},
		{"OperatorNotices", testOperatorNotices},
		{"Orders", testOrders},
		{"BeginPlacementRace", testBeginPlacementRace},
		{"Fulfilment", testFulfilment},
		{"OrderAlertsAndReport", testOrderAlertsAndReport},
		{"Watches", testWatches},
		{"Snapshots", testSnapshots},
		{"TrackingYearSize", testTrackingYearSize},
		{"Alerts", testAlerts},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// Clock is a settable clock for Options.Now, safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock that reads t until moved.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// start is where test clocks begin: a time with sub-microsecond digits, to check that engines
// agree on precision.
var start = time.Date(2026, 3, 14, 15, 9, 26, 535897932, time.UTC)

// openClock opens a store whose clock the test moves.
func openClock(t *testing.T, open Opener) (store.Store, *Clock) {
	t.Helper()
	clock := NewClock(start)
	return open(t, store.Options{Now: clock.Now}), clock
}

func ctxFor(t *testing.T) context.Context { return t.Context() }

// mustUser creates a member with email.
func mustUser(t *testing.T, s store.Store, email string) store.User {
	t.Helper()
	u, err := s.CreateUser(ctxFor(t), store.User{Email: email, PasswordHash: "$argon2id$test", Role: store.RoleMember})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

func mustList(t *testing.T, s store.Store, owner int64, name string) store.List {
	t.Helper()
	l, err := s.CreateList(ctxFor(t), owner, name)
	if err != nil {
		t.Fatalf("CreateList(%d, %q): %v", owner, name, err)
	}
	return l
}

// wantErr fails t unless err is target (nil for no error).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Errorf("%s: %v; want no error", what, err)
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s = %v; want %v", what, err, target)
	}
}

// hash returns a distinct 32-byte token hash for n.
func hash(n int) []byte {
	b := make([]byte, 32)
	copy(b, fmt.Sprintf("token-hash-%d", n))
	return b
}

// parallel runs fn(i) for i in [0, n) at once and returns the errors by i.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			errs[i] = fn(i)
		})
	}
	close(gate)
	wg.Wait()
	return errs
}

// us is t to the microsecond that stores keep.
func us(t time.Time) time.Time { return t.Truncate(time.Microsecond) }
