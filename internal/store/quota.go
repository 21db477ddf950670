package store

import (
	"context"
	"fmt"
	"time"
)

// QuotaCall is one AliExpress call to count against the shared daily quota.
type QuotaCall struct {
	Day    string // the platform day (GMT+8), "2026-03-02"
	UserID int64  // 0: for no user
	Method string // the API method
	Kind   string // what the call was for: interactive, tracking, orders, system
}

// QuotaState is a day's count as one call sees it before it is counted.
type QuotaState struct {
	Total     int64 // the day's calls of every user
	UserCalls int64 // the caller's calls of the day
	Users     int   // users (not 0) who have called in the day, the caller counted
}

// QuotaCount is how many calls one user made to one method for one kind of work in a day.
type QuotaCount struct {
	Day    string
	UserID int64
	Method string
	Kind   string
	Calls  int64
}

// Quota keeps the shared count of AliExpress calls per platform day, user, method and kind, so
// that several replicas spend one daily budget, and the operator sees who spent it.
type Quota interface {
	// TakeQuota calls admit with the day's state before the call and, when it answers true,
	// counts the call; both in one transaction, so that of concurrent callers (on any replica)
	// each sees the calls of those before it. It returns the state admit saw.
	TakeQuota(ctx context.Context, c QuotaCall, admit func(QuotaState) bool) (QuotaState, bool, error)
	// QuotaDayTotal returns the day's calls.
	QuotaDayTotal(ctx context.Context, day string) (int64, error)
	// QuotaCounts returns the counts of the days from..to (inclusive), by day, user, method, kind.
	QuotaCounts(ctx context.Context, from, to string) ([]QuotaCount, error)
	// RaiseQuotaCounts raises each count (and its day's total) to at least the given calls, for
	// counts kept elsewhere (Redis) first; a count never goes down, so that doing it twice is
	// harmless.
	RaiseQuotaCounts(ctx context.Context, counts []QuotaCount) error
}

// CheckQuotaDay checks a platform day's form.
func CheckQuotaDay(day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return fmt.Errorf("%w: quota day %q: want YYYY-MM-DD", ErrInvalid, day)
	}
	return nil
}

// CheckQuotaCall checks a call before it is counted.
func CheckQuotaCall(c QuotaCall) error {
	if err := CheckQuotaDay(c.Day); err != nil {
		return err
	}
	if c.UserID < 0 {
		return fmt.Errorf("%w: quota user %d", ErrInvalid, c.UserID)
	}
	if len(c.Method) > 200 || len(c.Kind) > 40 {
		return fmt.Errorf("%w: quota method or kind too long", ErrInvalid)
	}
	return nil
}

// OperatorNotices records the warnings sent to the operators (a month projected to fail the DS
// assessment, a month that failed), so that each is sent once whichever replica gets there.
type OperatorNotices interface {
	// RecordOperatorNotice records the notice of condition for period and returns true, or
	// returns false when it was recorded before.
	RecordOperatorNotice(ctx context.Context, period, condition string) (bool, error)
}
