// Package quota shares the AliExpress app's call quota between aliscout's users and replicas. The
// platform gives one app key a daily call budget (ALISCOUT_DAILY_BUDGET, per platform day, which
// ends at midnight GMT+8); every replica counts against one shared count (in Redis when it is
// configured, in the store otherwise), and each user has a fair share of it:
//
//   - No call is made once the day's calls reach the budget.
//   - A user may always spend up to their share: a fixed number of calls a day
//     (ALISCOUT_USER_SHARE), or by default an equal part of what the reserve leaves,
//     (budget - reserve) / users who have called today.
//   - Beyond their share a user borrows what others leave unused, but only while more than the
//     reserve (ALISCOUT_QUOTA_RESERVE, 20% of the budget by default) is left of the day: the
//     reserve stays for the users still within their share. So one user's tracking of 50,000
//     products stops at the reserve, and everyone else's searches go on.
//   - Calls made for no user (token refresh, the command line) count against the budget only.
//
// Who a call is for travels in its context: web handlers and jobs set it with WithCaller, and
// Budget, the SDK's aliexpress.Budget, reads it. A refused user gets a *ShareError that says when
// the day resets. The counts (per platform day, user, method and kind) stay in the store, where
// the operator console and the DS assessment read them.
//
// This package does not import the SDK: Budget implements its Budget and MethodBudget
// interfaces by their method sets, so that the web app can set callers without depending on it.
package quota

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Kind is what a call is for.
type Kind string

// Kinds of calls.
const (
	// Interactive: a user waits for the answer (a search, a product page, an export).
	Interactive Kind = "interactive"
	// Tracking: a background check of watched products.
	Tracking Kind = "tracking"
	// Orders: placing and following orders.
	Orders Kind = "orders"
	// System: work for no user (token refresh, reports, the command line).
	System Kind = "system"
)

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	switch k {
	case Interactive, Tracking, Orders, System:
		return true
	}
	return false
}

// Caller is who a call is made for.
type Caller struct {
	UserID int64 // 0: no user
	Kind   Kind
}

type callerKey struct{}

// WithCaller returns ctx carrying who the AliExpress calls made with it are for. A userID of 0
// means no user: the calls count against the budget only.
func WithCaller(ctx context.Context, userID int64, kind Kind) context.Context {
	if !kind.Valid() {
		kind = Interactive
	}
	if userID <= 0 {
		userID, kind = 0, System
	}
	return context.WithValue(ctx, callerKey{}, Caller{UserID: userID, Kind: kind})
}

// CallerOf returns who ctx's calls are for; a context without one is for no user.
func CallerOf(ctx context.Context) Caller {
	if c, ok := ctx.Value(callerKey{}).(Caller); ok {
		return c
	}
	return Caller{Kind: System}
}

var gmt8 = time.FixedZone("GMT+8", 8*3600)

// Zone is the platform's time zone, GMT+8, whose midnight ends the quota's day.
func Zone() *time.Location { return gmt8 }

// Day names the platform day t falls in ("2026-03-02").
func Day(t time.Time) string { return t.In(gmt8).Format(time.DateOnly) }

// DayEnd returns when the platform day of t ends: the next midnight GMT+8.
func DayEnd(t time.Time) time.Time {
	l := t.In(gmt8)
	return time.Date(l.Year(), l.Month(), l.Day()+1, 0, 0, 0, 0, gmt8)
}

// DSMethod reports whether method is a Dropshipping API method (aliexpress.ds.* and
// aliexpress.trade.ds.*), the calls that count a user as served in the DS assessment.
func DSMethod(method string) bool {
	return strings.HasPrefix(method, "aliexpress.ds.") || strings.HasPrefix(method, "aliexpress.trade.ds.")
}

// Policy is how the day's budget is shared.
type Policy struct {
	// Budget is the day's calls for the whole app; 0 means no cap and no shares.
	Budget int64
	// Reserve is the part of Budget that only users within their share may spend.
	Reserve int64
	// Share is every user's share in calls a day; 0 means equal shares of Budget-Reserve
	// between the users who have called today.
	Share int64
}

// DefaultReservePercent is the reserve's default part of the budget.
const DefaultReservePercent = 20

// NewPolicy returns the policy for a daily budget, a reserve in percent of it (negative: the
// default) and a fixed share (0: equal shares).
func NewPolicy(budget int64, reservePercent int, share int64) Policy {
	if reservePercent < 0 {
		reservePercent = DefaultReservePercent
	}
	return Policy{Budget: budget, Reserve: budget * int64(reservePercent) / 100, Share: share}
}

// State is the day's count before a call, as the shared counter sees it.
type State struct {
	Total     int64 // the day's calls, every user's
	UserCalls int64 // the caller's calls of the day
	Users     int   // users who have called today, the caller counted
}

// ShareOf returns a user's share of the day when users have called today.
func (p Policy) ShareOf(users int) int64 {
	if p.Share > 0 {
		return p.Share
	}
	if users < 1 {
		users = 1
	}
	s := (p.Budget - p.Reserve) / int64(users)
	return max(s, 1)
}

// Verdict is the policy's answer for one call.
type Verdict int

// Verdicts.
const (
	Admit       Verdict = iota // count the call and make it
	BudgetSpent                // the day's budget is used up
	ShareSpent                 // the caller's share is used up and only the reserve is left
)

// Decide says whether the caller may make one more call in state s.
func (p Policy) Decide(c Caller, s State) Verdict {
	if p.Budget <= 0 {
		return Admit
	}
	if s.Total >= p.Budget {
		return BudgetSpent
	}
	if c.UserID == 0 || s.UserCalls < p.ShareOf(s.Users) {
		return Admit
	}
	if p.Budget-s.Total > p.Reserve {
		return Admit
	}
	return ShareSpent
}

// ShareError is the refusal of a call by a user whose share of the day is used up.
type ShareError struct {
	UserID  int64
	Used    int64     // the user's calls today
	Share   int64     // their share
	ResetAt time.Time // when the platform day ends
}

func (e *ShareError) Error() string {
	return fmt.Sprintf("your share of today's AliExpress calls is used up (%d of %d calls); it resets at %s (midnight GMT+8), and saved and cached answers keep working until then",
		e.Used, e.Share, e.ResetAt.UTC().Format("15:04 MST"))
}

// BudgetExhausted tells the SDK that this is a refusal, not a failure to count.
func (e *ShareError) BudgetExhausted() bool { return true }
