// Package operator holds what the operator of an aliscout instance (a DS software service
// provider) sees in the console: the monthly DS assessment figures with their result and
// projection, the warnings sent when a month is projected to fail or has failed, and the quota's
// use per method, user and day.
//
// AliExpress assesses every DS service provider monthly on two figures: the users served and
// the order amount they paid through the service. Premium is at least 1,000 users and
// USD 10,000; Pass at least 100 users and USD 1,000; below either is Fail, and two failing
// months in a row allow AliExpress to end the provider's API access. Months are calendar months
// in the platform's time, GMT+8, as the daily quota's days are.
package operator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
)

// UserOrderTotal is what one user paid through aliscout in a period.
type UserOrderTotal struct {
	UserID    int64
	Orders    int
	AmountUSD int64 // cents
}

// OrderTotals gives the orders paid through aliscout per user in [from, to).
type OrderTotals interface {
	PaidOrderTotals(ctx context.Context, from, to time.Time) ([]UserOrderTotal, error)
}

// OrderTotalsFunc adapts a function to OrderTotals.
type OrderTotalsFunc func(ctx context.Context, from, to time.Time) ([]UserOrderTotal, error)

// PaidOrderTotals implements OrderTotals.
func (f OrderTotalsFunc) PaidOrderTotals(ctx context.Context, from, to time.Time) ([]UserOrderTotal, error) {
	return f(ctx, from, to)
}

// Result is a month's assessment.
type Result string

// Results.
const (
	Premium Result = "premium"
	Pass    Result = "pass"
	Fail    Result = "fail"
)

// Thresholds of the assessment.
const (
	PremiumUsers = 1000
	PremiumCents = 10_000_00
	PassUsers    = 100
	PassCents    = 1_000_00
)

// ResultOf is the result of a month with users served and amountCents paid in USD.
func ResultOf(users int, amountCents int64) Result {
	switch {
	case users >= PremiumUsers && amountCents >= PremiumCents:
		return Premium
	case users >= PassUsers && amountCents >= PassCents:
		return Pass
	}
	return Fail
}

// UsersServedDefinition is how the console explains the users figure.
const UsersServedDefinition = "users with a connected AliExpress account who made at least one Dropshipping API call " +
	"(aliexpress.ds.* or aliexpress.trade.ds.*) or one order through aliscout in the month (GMT+8)"

// Month is one month's figures.
type Month struct {
	Month  string    // "2026-12"
	Start  time.Time // midnight GMT+8 of its first day
	End    time.Time // midnight GMT+8 of the next month's first day
	Users  int
	Orders int
	Amount catalog.Money // USD
	Result Result
}

// Warning is a condition the operator is warned of.
type Warning struct {
	Condition string // ConditionProjectedFail or ConditionPreviousFailed
	Month     string // the month it is about
	Message   string
}

// Warning conditions.
const (
	ConditionProjectedFail  = "projected_fail"
	ConditionPreviousFailed = "previous_failed"
)

// Assessment is the month so far, its projection to the month's end, and the months before.
type Assessment struct {
	Current         Month
	Elapsed         float64 // the part of the current month that has passed, 0..1
	ProjectedUsers  int
	ProjectedAmount catalog.Money
	ProjectedResult Result
	History         []Month // the months before, newest first
	OrdersKnown     bool    // order totals are recorded (false: amounts and orders are 0 for want of them)
	Warnings        []Warning
}

// Config is what a Service needs.
type Config struct {
	Store store.Store
	// Orders gives the order totals; nil until orders are recorded: amounts are then 0.
	Orders OrderTotals
	// History is how many months before the current one to show (default 6).
	History int
	// PublicURL is where operators open the console, for the warning emails.
	PublicURL string
	// LiveCounts, when set, gives a day's counts where they are kept first (Redis), ahead of
	// the store's copy; the quota page shows the larger of each.
	LiveCounts func(ctx context.Context, day string) ([]store.QuotaCount, error)
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Service computes the console's figures.
type Service struct {
	cfg Config
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("operator: no store")
	}
	if cfg.History <= 0 {
		cfg.History = 6
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Service{cfg: cfg}, nil
}

// monthOf returns the GMT+8 month that t falls in.
func monthOf(t time.Time) (start, end time.Time) {
	l := t.In(quota.Zone())
	start = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, quota.Zone())
	return start, start.AddDate(0, 1, 0)
}

// Assessment computes the figures at the current time.
func (s *Service) Assessment(ctx context.Context) (Assessment, error) {
	now := s.cfg.Now()
	curStart, curEnd := monthOf(now)
	first := curStart.AddDate(0, -s.cfg.History, 0)
	counts, err := s.cfg.Store.QuotaCounts(ctx, quota.Day(first), quota.Day(curEnd.Add(-time.Hour)))
	if err != nil {
		return Assessment{}, fmt.Errorf("operator: assessment: %w", err)
	}
	dsUsers := map[string]map[int64]bool{} // month -> users with DS calls
	for _, c := range counts {
		if c.UserID == 0 || c.Calls == 0 || !quota.DSMethod(c.Method) {
			continue
		}
		m := c.Day[:7]
		if dsUsers[m] == nil {
			dsUsers[m] = map[int64]bool{}
		}
		dsUsers[m][c.UserID] = true
	}
	connected := map[int64]bool{}
	isConnected := func(id int64) (bool, error) {
		if v, ok := connected[id]; ok {
			return v, nil
		}
		accs, err := s.cfg.Store.ConnectedAccounts(ctx, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
		connected[id] = len(accs) > 0
		return connected[id], nil
	}
	month := func(start time.Time) (Month, error) {
		end := start.AddDate(0, 1, 0)
		m := Month{Month: start.Format("2006-01"), Start: start, End: end, Amount: catalog.Money{Currency: "USD"}}
		served := map[int64]bool{}
		for id := range dsUsers[m.Month] {
			served[id] = true
		}
		if s.cfg.Orders != nil {
			totals, err := s.cfg.Orders.PaidOrderTotals(ctx, start, end)
			if err != nil {
				return m, err
			}
			for _, t := range totals {
				m.Orders += t.Orders
				m.Amount.Amount += t.AmountUSD
				if t.Orders > 0 {
					served[t.UserID] = true
				}
			}
		}
		for id := range served {
			ok, err := isConnected(id)
			if err != nil {
				return m, err
			}
			if ok {
				m.Users++
			}
		}
		m.Result = ResultOf(m.Users, m.Amount.Amount)
		return m, nil
	}
	a := Assessment{OrdersKnown: s.cfg.Orders != nil}
	if a.Current, err = month(curStart); err != nil {
		return Assessment{}, fmt.Errorf("operator: assessment: %w", err)
	}
	for i := 1; i <= s.cfg.History; i++ {
		m, err := month(curStart.AddDate(0, -i, 0))
		if err != nil {
			return Assessment{}, fmt.Errorf("operator: assessment: %w", err)
		}
		a.History = append(a.History, m)
	}
	a.Elapsed = float64(now.Sub(curStart)) / float64(curEnd.Sub(curStart))
	a.ProjectedUsers, a.ProjectedAmount = project(a.Current, now.Sub(curStart), curEnd.Sub(curStart))
	a.ProjectedResult = ResultOf(a.ProjectedUsers, a.ProjectedAmount.Amount)
	if a.ProjectedResult == Fail && a.Elapsed >= ProjectionFrom {
		a.Warnings = append(a.Warnings, Warning{Condition: ConditionProjectedFail, Month: a.Current.Month,
			Message: fmt.Sprintf("%s is projected to fail the DS assessment: about %d users served and USD %s by the month's end, against %d users and USD %s to pass",
				a.Current.Month, a.ProjectedUsers, a.ProjectedAmount.Decimal(), PassUsers, catalog.Money{Amount: PassCents, Currency: "USD"}.Decimal())})
	}
	if len(a.History) > 0 && a.History[0].Result == Fail {
		p := a.History[0]
		a.Warnings = append(a.Warnings, Warning{Condition: ConditionPreviousFailed, Month: a.Current.Month,
			Message: fmt.Sprintf("%s failed the DS assessment (%d users served, USD %s): a second failing month in a row allows AliExpress to end the app's API access",
				p.Month, p.Users, p.Amount.Decimal())})
	}
	return a, nil
}

// ProjectionFrom is the part of a month after which its projection is trusted enough to warn:
// three days, about. Before, a month with no activity yet would be projected to fail at its
// first minute.
const ProjectionFrom = 0.1

// project extends the month so far to its end linearly: figures × month / elapsed, in whole
// seconds so that the result is exact and the same on every replica.
func project(m Month, elapsed, length time.Duration) (int, catalog.Money) {
	e, l := int64(elapsed/time.Second), int64(length/time.Second)
	if e <= 0 {
		return m.Users, m.Amount
	}
	e = min(e, l)
	scale := func(x int64) int64 { return (x*l + e/2) / e }
	return int(scale(int64(m.Users))), catalog.Money{Amount: scale(m.Amount.Amount), Currency: "USD"}
}

// SendWarnings emails every operator each warning of the current assessment, once per month
// and condition whichever replica gets there (a periodic job).
func (s *Service) SendWarnings(ctx context.Context) error {
	a, err := s.Assessment(ctx)
	if err != nil {
		return err
	}
	if len(a.Warnings) == 0 {
		return nil
	}
	users, err := s.cfg.Store.Users(ctx)
	if err != nil {
		return fmt.Errorf("operator: warnings: %w", err)
	}
	var to []string
	for _, u := range users {
		if u.Role == store.RoleOperator && !u.Disabled {
			to = append(to, u.Email)
		}
	}
	sort.Strings(to)
	for _, w := range a.Warnings {
		err := s.cfg.Store.WithTx(ctx, func(tx store.Store) error {
			first, err := tx.RecordOperatorNotice(ctx, w.Month, w.Condition)
			if err != nil || !first {
				return err
			}
			body := w.Message + "\n\n" + UsersServedDefinition + ".\n"
			if s.cfg.PublicURL != "" {
				body += "\nThe figures: " + s.cfg.PublicURL + "/operator\n"
			}
			for _, addr := range to {
				if _, err := tx.EnqueueEmail(ctx, store.Email{To: addr, Subject: "aliscout: DS assessment warning for " + w.Month, Body: body}); err != nil {
					return err
				}
			}
			s.cfg.Logger.Warn("operator warned", "condition", w.Condition, "month", w.Month, "operators", len(to))
			return nil
		})
		if err != nil {
			return fmt.Errorf("operator: warnings: %w", err)
		}
	}
	return nil
}
