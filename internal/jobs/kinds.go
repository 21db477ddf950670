package jobs

import (
	"context"
	"time"
)

// The job kinds of aliscout. Their args hold ids only, never a token or an address.

// RefreshPlanArgs is the periodic planner: it queues a RefreshAccountArgs for every account whose
// access token is due, and a ReportAccountArgs for every report still pending.
type RefreshPlanArgs struct{}

// Kind implements Args.
func (RefreshPlanArgs) Kind() string { return "aliscout_refresh_plan" }

// InsertOpts makes it unique: a slow run is not joined by the next.
func (RefreshPlanArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 3} }

// RefreshAccountArgs refreshes one account's tokens: one such job per account at a time, however
// many replicas plan.
type RefreshAccountArgs struct {
	AccountID int64 `json:"account_id"`
}

// Kind implements Args.
func (RefreshAccountArgs) Kind() string { return "aliscout_refresh_account" }

// InsertOpts makes it unique per account. With River's backoff (n⁴ seconds) eight attempts span
// about 80 minutes, beyond the 30 to 60 minutes before expiry that the planner leaves; an access
// token that ends meanwhile is refreshed on the next DS call that needs it.
func (RefreshAccountArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 8} }

// ExpiryNoticesArgs records the 7-day, 1-day and ended notices and queues their emails.
type ExpiryNoticesArgs struct{}

// Kind implements Args.
func (ExpiryNoticesArgs) Kind() string { return "aliscout_expiry_notices" }

// InsertOpts makes it unique.
func (ExpiryNoticesArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 3} }

// SendMailArgs sends the email outbox.
type SendMailArgs struct{}

// Kind implements Args.
func (SendMailArgs) Kind() string { return "aliscout_send_mail" }

// InsertOpts makes it unique: one sender at a time.
func (SendMailArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 3} }

// ReportAccountArgs reports an account's store to the platform (ds.add.info).
type ReportAccountArgs struct {
	AccountID int64 `json:"account_id"`
}

// Kind implements Args.
func (ReportAccountArgs) Kind() string { return "aliscout_report_account" }

// InsertOpts makes it unique per account, with five attempts over about six minutes; after the
// last the report is marked failed with the platform's message.
func (ReportAccountArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 5} }

// Accounts is the work of the account jobs; *connect.Service does it.
type Accounts interface {
	PlanRefreshes(ctx context.Context) error
	RefreshAccount(ctx context.Context, accountID int64) error
	SendExpiryNotices(ctx context.Context) error
	ReportAccount(ctx context.Context, accountID int64, last bool) error
}

// Mailer sends the outbox; *notify.Mailer is one.
type Mailer interface {
	SendPending(ctx context.Context) (int, error)
}

// HandleAccounts makes a the handler of the account jobs.
func HandleAccounts(w *Workers, a Accounts) {
	Handle(w, func(ctx context.Context, work Work[RefreshPlanArgs]) error { return a.PlanRefreshes(ctx) })
	Handle(w, func(ctx context.Context, work Work[RefreshAccountArgs]) error {
		return a.RefreshAccount(ctx, work.Args.AccountID)
	})
	Handle(w, func(ctx context.Context, work Work[ExpiryNoticesArgs]) error { return a.SendExpiryNotices(ctx) })
	Handle(w, func(ctx context.Context, work Work[ReportAccountArgs]) error {
		return a.ReportAccount(ctx, work.Args.AccountID, work.Last())
	})
}

// HandleMail makes m the sender of the outbox.
func HandleMail(w *Workers, m Mailer) {
	Handle(w, func(ctx context.Context, work Work[SendMailArgs]) error {
		_, err := m.SendPending(ctx)
		return err
	})
}

// Schedule is how often the periodic jobs run. Zero fields take the defaults.
type Schedule struct {
	RefreshPlan   time.Duration // default 5 minutes
	ExpiryNotices time.Duration // default 1 hour
	SendMail      time.Duration // default 1 minute; only with Mail
	Mail          bool          // an SMTP server is configured
}

// Periodic returns the periodic jobs of aliscout for Config.Periodic.
func (s Schedule) Periodic() []Periodic {
	def := func(d, v time.Duration) time.Duration {
		if d <= 0 {
			return v
		}
		return d
	}
	p := []Periodic{
		{Every: def(s.RefreshPlan, 5*time.Minute), Args: RefreshPlanArgs{}, RunOnStart: true},
		{Every: def(s.ExpiryNotices, time.Hour), Args: ExpiryNoticesArgs{}, RunOnStart: true},
	}
	if s.Mail {
		p = append(p, Periodic{Every: def(s.SendMail, time.Minute), Args: SendMailArgs{}, RunOnStart: true})
	}
	return p
}

// EnqueueRefresh queues a refresh of the account, unless one is queued or running.
func (q *Queue) EnqueueRefresh(ctx context.Context, accountID int64) error {
	_, err := q.Insert(ctx, RefreshAccountArgs{AccountID: accountID}, nil)
	return err
}

// EnqueueReport queues the report of the account's store, unless one is queued or running.
func (q *Queue) EnqueueReport(ctx context.Context, accountID int64) error {
	_, err := q.Insert(ctx, ReportAccountArgs{AccountID: accountID}, nil)
	return err
}

// EnqueueMail queues a run of the outbox sender, unless one is queued or running.
func (q *Queue) EnqueueMail(ctx context.Context) error {
	_, err := q.Insert(ctx, SendMailArgs{}, nil)
	return err
}
