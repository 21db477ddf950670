package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/operator"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/store"
)

// Console is what the operator console (/operator, operators only) reads and does.
type Console struct {
	// Service computes the assessment and the quota's use.
	Service *operator.Service
	// Policy is how the daily budget is shared.
	Policy quota.Policy
	// RateLimits are the platform's published per-method QPS limits.
	RateLimits map[string]int
	// Stats returns this replica's counts since it started; nil shows none.
	Stats func() ConsoleStats
	// Jobs is the job queue; nil leaves the jobs page empty.
	Jobs ConsoleJobs
}

// ConsoleStats are one replica's counts since it started.
type ConsoleStats struct {
	Since       time.Time
	RateLimited int64 // ApiCallLimit answers (the platform throttled a call)
	Refused     int64 // calls the shared budget refused (budget spent or a user's share)
	CacheHits   int64 // answers from a fresh cache entry
	CacheMisses int64 // answers that needed an upstream load
	CallsSaved  int64 // answers given without an upstream call of their own
}

// HitRate is the part of the cache's answers given from a fresh entry, in percent.
func (c ConsoleStats) HitRate() float64 {
	if c.CacheHits+c.CacheMisses == 0 {
		return 0
	}
	return 100 * float64(c.CacheHits) / float64(c.CacheHits+c.CacheMisses)
}

// ConsoleJob is a background job as the console shows it.
type ConsoleJob struct {
	ID          int64
	Kind        string
	Args        string // JSON; job arguments never hold secrets
	State       string
	Attempt     int
	MaxAttempts int
	Errors      []string
	CreatedAt   time.Time
	FinalizedAt time.Time
}

// LastError is the job's latest error, if any.
func (j ConsoleJob) LastError() string {
	if len(j.Errors) == 0 {
		return ""
	}
	return j.Errors[len(j.Errors)-1]
}

// ConsoleJobs is the job queue as the console uses it.
type ConsoleJobs interface {
	// Pending returns jobs waiting, scheduled, running or to be retried.
	Pending(ctx context.Context, limit int) ([]ConsoleJob, error)
	// Failed returns jobs that failed for good, newest first.
	Failed(ctx context.Context, limit int) ([]ConsoleJob, error)
	Retry(ctx context.Context, id int64) error
	Discard(ctx context.Context, id int64) error
}

// operatorRoutes registers the console.
func (s *Server) operatorRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /operator", s.operatorAssessmentPage)
	mux.HandleFunc("GET /operator/users", s.operatorUsersPage)
	mux.HandleFunc("POST /operator/users/{id}/disable", s.operatorDisablePost(true))
	mux.HandleFunc("POST /operator/users/{id}/enable", s.operatorDisablePost(false))
	mux.HandleFunc("GET /operator/quota", s.operatorQuotaPage)
	mux.HandleFunc("GET /operator/jobs", s.operatorJobsPage)
	mux.HandleFunc("POST /operator/jobs/{id}/retry", s.operatorJobPost(true))
	mux.HandleFunc("POST /operator/jobs/{id}/discard", s.operatorJobPost(false))
	mux.HandleFunc("GET /operator/notices", s.operatorNoticesPage)

	mux.HandleFunc("GET /api/operator/assessment", s.apiOperatorAssessment)
	mux.HandleFunc("GET /api/operator/quota", s.apiOperatorQuota)
}

// asOperator returns the signed-in operator, or answers r: sign in first (401 for the API), or
// 403 for everyone else.
func (s *Server) asOperator(w http.ResponseWriter, r *http.Request) (*viewer, bool) {
	v, ok := s.signedIn(w, r)
	if !ok {
		return nil, false
	}
	if !v.Operator() {
		s.failErr(w, r, accounts.ErrForbidden)
		return nil, false
	}
	return v, true
}

// Assessment.

type assessmentMonthJSON struct {
	Month       string     `json:"month"`
	Users       int        `json:"users"`
	OrderAmount *moneyJSON `json:"order_amount"`
	Result      string     `json:"result"`
}

type assessmentJSON struct {
	Month           string                `json:"month"`
	Users           int                   `json:"users"`
	OrderAmount     *moneyJSON            `json:"order_amount"`
	Result          string                `json:"result"`
	ProjectedResult string                `json:"projected_result"`
	Months          []assessmentMonthJSON `json:"months"`
}

func usdJSON(m catalog.Money) *moneyJSON {
	return &moneyJSON{Amount: m.Decimal(), Currency: "USD"}
}

func (s *Server) apiOperatorAssessment(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	a, err := s.cfg.Console.Service.Assessment(r.Context())
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	out := assessmentJSON{Month: a.Current.Month, Users: a.Current.Users, OrderAmount: usdJSON(a.Current.Amount),
		Result: string(a.Current.Result), ProjectedResult: string(a.ProjectedResult), Months: []assessmentMonthJSON{}}
	for _, m := range a.History {
		out.Months = append(out.Months, assessmentMonthJSON{Month: m.Month, Users: m.Users, OrderAmount: usdJSON(m.Amount), Result: string(m.Result)})
	}
	writeJSON(w, http.StatusOK, out)
}

type assessmentPage struct {
	base
	A          operator.Assessment
	Definition string
	Pass       catalog.Money
	Premium    catalog.Money
	PassUsers  int
	PremUsers  int
	Elapsed    float64 // percent
}

func (s *Server) operatorAssessmentPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	a, err := s.cfg.Console.Service.Assessment(r.Context())
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.render(w, r, http.StatusOK, "operator", &assessmentPage{
		base: s.base(r, "Operator: DS assessment", "operator"), A: a, Definition: operator.UsersServedDefinition,
		Pass: catalog.Money{Amount: operator.PassCents, Currency: "USD"}, Premium: catalog.Money{Amount: operator.PremiumCents, Currency: "USD"},
		PassUsers: operator.PassUsers, PremUsers: operator.PremiumUsers, Elapsed: 100 * a.Elapsed,
	})
}

// Users.

type operatorUserRow struct {
	User        store.User
	Accounts    []store.ConnectedAccount
	Reported    int // accounts whose store was reported to the platform
	ReportFails int
}

type operatorUsersPage struct {
	base
	Users       []operatorUserRow
	Invitations []store.Invitation
	Now         time.Time
}

func (s *Server) operatorUsersPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	ctx := r.Context()
	users, err := s.cfg.Store.Users(ctx)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	d := operatorUsersPage{base: s.base(r, "Operator: users", "operator"), Now: s.now()}
	for _, u := range users {
		row := operatorUserRow{User: u}
		if row.Accounts, err = s.cfg.Store.ConnectedAccounts(ctx, u.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.failErr(w, r, storeErr(err))
			return
		}
		for _, a := range row.Accounts {
			switch a.ReportState {
			case store.ReportReported:
				row.Reported++
			case store.ReportFailed:
				row.ReportFails++
			}
		}
		d.Users = append(d.Users, row)
	}
	if d.Invitations, err = s.cfg.Accounts.Invitations(ctx); err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	s.render(w, r, http.StatusOK, "operator_users", &d)
}

// operatorDisablePost disables (or enables) a user: their sessions end at once, and their API
// tokens and sign-ins are refused while disabled.
func (s *Server) operatorDisablePost(disable bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, ok := s.asOperator(w, r)
		if !ok {
			return
		}
		id, err := pathID(r, "id")
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		if id == v.User.ID && disable {
			s.failErr(w, r, invalid("id", "you cannot disable your own account"))
			return
		}
		u, err := s.cfg.Store.User(r.Context(), id)
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		if err := s.cfg.Accounts.SetDisabled(r.Context(), id, disable); err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		if disable {
			s.setFlash(w, r, "Disabled %s: their sessions ended and their API tokens stopped working.", u.Email)
		} else {
			s.setFlash(w, r, "Enabled %s again.", u.Email)
		}
		seeOther(w, r, "/operator/users")
	}
}

// Quota.

type operatorQuotaPage struct {
	base
	Q      operator.QuotaDay
	Stats  *ConsoleStats
	Budget int64
}

func (s *Server) quotaDay(r *http.Request) (operator.QuotaDay, error) {
	q, err := s.cfg.Console.Service.QuotaDay(r.Context(), r.URL.Query().Get("day"), s.cfg.Console.Policy, s.cfg.Console.RateLimits)
	if errors.Is(err, store.ErrInvalid) {
		return q, invalid("day", "day: want a date such as 2026-12-01")
	}
	return q, storeErr(err)
}

func (s *Server) operatorQuotaPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	q, err := s.quotaDay(r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	d := operatorQuotaPage{base: s.base(r, "Operator: quota", "operator"), Q: q, Budget: q.Policy.Budget}
	if s.cfg.Console.Stats != nil {
		st := s.cfg.Console.Stats()
		d.Stats = &st
	}
	s.render(w, r, http.StatusOK, "operator_quota", &d)
}

type quotaMethodJSON struct {
	Method string `json:"method"`
	Calls  int64  `json:"calls"`
	QPS    int    `json:"qps,omitempty"`
}

type quotaUserJSON struct {
	UserID int64            `json:"user_id"`
	Email  string           `json:"email,omitempty"`
	Calls  int64            `json:"calls"`
	ByKind map[string]int64 `json:"by_kind"`
}

func (s *Server) apiOperatorQuota(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	q, err := s.quotaDay(r)
	if err != nil {
		s.failErr(w, r, err)
		return
	}
	out := struct {
		Day      string            `json:"day"`
		ResetsAt time.Time         `json:"resets_at"`
		Calls    int64             `json:"calls"`
		Budget   int64             `json:"budget"`
		Reserve  int64             `json:"reserve"`
		Share    int64             `json:"share"`
		Methods  []quotaMethodJSON `json:"methods"`
		Users    []quotaUserJSON   `json:"users"`
	}{Day: q.Day, ResetsAt: q.ResetsAt.UTC(), Calls: q.Total, Budget: q.Policy.Budget, Reserve: q.Policy.Reserve, Share: q.Share,
		Methods: []quotaMethodJSON{}, Users: []quotaUserJSON{}}
	for _, m := range q.Methods {
		out.Methods = append(out.Methods, quotaMethodJSON{Method: m.Method, Calls: m.Calls, QPS: m.QPS})
	}
	for _, u := range q.Users {
		out.Users = append(out.Users, quotaUserJSON{UserID: u.UserID, Email: u.Email, Calls: u.Calls, ByKind: u.ByKind})
	}
	writeJSON(w, http.StatusOK, out)
}

// Jobs.

type operatorJobsPage struct {
	base
	Pending []ConsoleJob
	Failed  []ConsoleJob
	Queues  []queueCount
	NoJobs  bool
}

type queueCount struct {
	State string
	Jobs  int
}

func (s *Server) operatorJobsPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	d := operatorJobsPage{base: s.base(r, "Operator: jobs", "operator"), NoJobs: s.cfg.Console.Jobs == nil}
	if q := s.cfg.Console.Jobs; q != nil {
		var err error
		if d.Pending, err = q.Pending(r.Context(), 200); err == nil {
			d.Failed, err = q.Failed(r.Context(), 100)
		}
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		counts := map[string]int{}
		for _, j := range d.Pending {
			counts[j.State]++
		}
		for _, st := range []string{"available", "scheduled", "running", "retryable"} {
			d.Queues = append(d.Queues, queueCount{State: st, Jobs: counts[st]})
		}
		d.Queues = append(d.Queues, queueCount{State: "discarded", Jobs: len(d.Failed)})
	}
	s.render(w, r, http.StatusOK, "operator_jobs", &d)
}

func (s *Server) operatorJobPost(retry bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.asOperator(w, r); !ok {
			return
		}
		id, err := pathID(r, "id")
		if err != nil {
			s.failErr(w, r, err)
			return
		}
		if s.cfg.Console.Jobs == nil {
			s.failErr(w, r, store.ErrNotFound)
			return
		}
		if retry {
			err = s.cfg.Console.Jobs.Retry(r.Context(), id)
		} else {
			err = s.cfg.Console.Jobs.Discard(r.Context(), id)
		}
		if err != nil {
			s.failErr(w, r, storeErr(err))
			return
		}
		if retry {
			s.setFlash(w, r, "Job %d will run again.", id)
		} else {
			s.setFlash(w, r, "Job %d was discarded.", id)
		}
		seeOther(w, r, "/operator/jobs")
	}
}

// Notices.

type operatorNoticesPage struct {
	base
	Emails   []noticeRow
	Webhooks []ConsoleJob // deliveries of alerts to users' webhooks; nil when the queue cannot list them
	HookErr  string
}

// consoleWebhooks is what a ConsoleJobs lists of the webhook deliveries, when it can.
type consoleWebhooks interface {
	Webhooks(ctx context.Context, limit int) ([]ConsoleJob, error)
}

type noticeRow struct {
	store.Email
	State string // sent, retrying or waiting
}

func (s *Server) operatorNoticesPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.asOperator(w, r); !ok {
		return
	}
	emails, err := s.cfg.Store.Emails(r.Context(), 200)
	if err != nil {
		s.failErr(w, r, storeErr(err))
		return
	}
	d := operatorNoticesPage{base: s.base(r, "Operator: notices", "operator")}
	for _, e := range emails {
		d.Emails = append(d.Emails, noticeRow{Email: e, State: emailState(e)})
	}
	if c := s.cfg.Console; c != nil {
		if hooks, ok := c.Jobs.(consoleWebhooks); ok {
			var err error
			if d.Webhooks, err = hooks.Webhooks(r.Context(), 200); err != nil {
				s.log.Error("listing webhook deliveries", "err", err)
				d.HookErr = "The webhook deliveries cannot be listed now."
			}
		}
	}
	s.render(w, r, http.StatusOK, "operator_notices", &d)
}

// emailState names where an email stands.
func emailState(e store.Email) string {
	switch {
	case !e.SentAt.IsZero():
		return "sent"
	case e.Attempts > 0:
		return "retrying"
	}
	return "waiting"
}
