package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/aliscout/aliscout/aliexpress"
	"github.com/aliscout/aliscout/internal/cache"
	"github.com/aliscout/aliscout/internal/catalog"
	"github.com/aliscout/aliscout/internal/jobs"
	"github.com/aliscout/aliscout/internal/metrics"
	"github.com/aliscout/aliscout/internal/operator"
	"github.com/aliscout/aliscout/internal/quota"
	"github.com/aliscout/aliscout/internal/redis"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/web"
)

// sharedQuota is the AliExpress call quota that every replica on the same store (and Redis)
// shares: the daily budget with the users' fair shares, and the per-method QPS.
type sharedQuota struct {
	policy  quota.Policy
	budget  *quota.Budget
	limiter aliexpress.Limiter // nil: the client's own, in memory (no Redis)
	counter *redis.QuotaCounter
	tally   *upstreamTally
	close   func()
	// refusedMetric counts refusals in Prometheus once serve has registered it.
	refusedMetric atomic.Pointer[func(reason string)]
}

// newSharedQuota builds the shared quota on db, and on Redis when ALISCOUT_REDIS_URL is set.
// While Redis is down the store counts the calls (it is shared too), and each replica keeps
// under the per-method QPS on its own.
func newSharedQuota(e *env, db database, log *slog.Logger) (*sharedQuota, error) {
	cfg := &e.cfg
	q := &sharedQuota{
		policy: quota.NewPolicy(int64(cfg.DailyBudget), cfg.QuotaReserve, int64(cfg.UserShare)),
		tally:  &upstreamTally{since: time.Now()},
		close:  func() {},
	}
	var counter quota.Counter = quota.StoreCounter{Store: db}
	if cfg.RedisURL != "" {
		opt, err := goredis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("%w: --redis: not a redis URL (want redis://host:6379/0)", errUsage)
		}
		opt.ContextTimeoutEnabled = true
		opt.DialTimeout = time.Second
		rc := goredis.NewClient(opt)
		q.close = func() { rc.Close() }
		q.counter = redis.NewQuotaCounter(rc, redis.QuotaOptions{Prefix: "aliscout:quota:", Fallback: counter, Logger: log})
		counter = q.counter
		q.limiter = redis.NewLimiter(rc, aliexpress.DefaultRateLimits(), redis.LimiterOptions{Prefix: "aliscout:qps:", Logger: log})
	}
	q.budget = quota.NewBudget(counter, q.policy, func(_ quota.Call, v quota.Verdict) {
		if v == quota.Admit {
			return
		}
		q.tally.refused.Add(1)
		if f := q.refusedMetric.Load(); f != nil {
			reason := "budget"
			if v == quota.ShareSpent {
				reason = "share"
			}
			(*f)(reason)
		}
	})
	return q, nil
}

// clientOptions make a client count its calls in the shared quota. WithDailyBudget(0) undoes
// the in-memory budget connectBackend sets, which WithBudget replaces.
func (q *sharedQuota) clientOptions() []aliexpress.Option {
	opts := []aliexpress.Option{aliexpress.WithDailyBudget(0), aliexpress.WithBudget(q.budget)}
	if q.limiter != nil {
		opts = append(opts, aliexpress.WithLimiter(q.limiter))
	}
	return opts
}

// observe counts the platform's ApiCallLimit answers, for the console.
func (q *sharedQuota) observe(ci aliexpress.CallInfo) {
	if errors.Is(ci.Err, aliexpress.ErrRateLimited) {
		q.tally.rateLimited.Add(1)
	}
}

// upstreamTally is this replica's counts since it started.
type upstreamTally struct {
	since       time.Time
	rateLimited atomic.Int64
	refused     atomic.Int64
}

// newConsole is the operator console's wiring: the assessment and quota on db, the queue's
// jobs, and this replica's counts. Order totals come from the orders the store records.
func newConsole(db database, q *sharedQuota, ch *cache.Cache, m *metrics.Metrics, queue *jobs.Queue, publicURL string, log *slog.Logger) (*web.Console, error) {
	saved := func() int64 {
		s := ch.Stats()
		return max(int64(s.Hits+s.Misses+s.Remembered)-int64(s.Loads), 0)
	}
	refused := m.Quota(func() uint64 { return uint64(saved()) })
	q.refusedMetric.Store(&refused)
	var live func(ctx context.Context, day string) ([]store.QuotaCount, error)
	if q.counter != nil {
		live = q.counter.Counts
	}
	svc, err := newOperator(db, publicURL, live, log)
	if err != nil {
		return nil, err
	}
	return &web.Console{
		Service:    svc,
		Policy:     q.policy,
		RateLimits: aliexpress.DefaultRateLimits(),
		Jobs:       consoleJobs{queue},
		Stats: func() web.ConsoleStats {
			s := ch.Stats()
			return web.ConsoleStats{Since: q.tally.since, RateLimited: q.tally.rateLimited.Load(), Refused: q.tally.refused.Load(),
				CacheHits: int64(s.Hits), CacheMisses: int64(s.Misses), CallsSaved: saved()}
		},
	}, nil
}

// newOperator is the operator service on db.
func newOperator(db database, publicURL string, live func(ctx context.Context, day string) ([]store.QuotaCount, error), log *slog.Logger) (*operator.Service, error) {
	return operator.New(operator.Config{Store: db, Orders: orderTotals(db), PublicURL: publicURL, LiveCounts: live, Logger: log})
}

// orderTotals gives the order totals the assessment counts: the supplier orders paid on
// AliExpress through aliscout, per user, from the store.
func orderTotals(db database) operator.OrderTotals {
	return operator.OrderTotalsFunc(func(ctx context.Context, from, to time.Time) ([]operator.UserOrderTotal, error) {
		rows, err := db.PaidOrderTotals(ctx, from, to)
		if err != nil {
			return nil, err
		}
		out := make([]operator.UserOrderTotal, len(rows))
		for i, r := range rows {
			out[i] = operator.UserOrderTotal{UserID: r.UserID, Orders: r.Orders, AmountUSD: r.AmountUSD}
		}
		return out, nil
	})
}

// operatorJobs returns the operator's periodic jobs and a function registering their handlers
// (the assessment warnings; with Redis, the quota's copy to the store) for startBackground.
func operatorJobs(e *env, db database, log *slog.Logger) (periodic []jobs.Periodic, handle func(w *jobs.Workers, publicURL string) error, closeFn func()) {
	var copier *quotaCopier
	closeFn = func() {}
	if e.cfg.RedisURL != "" {
		if opt, err := goredis.ParseURL(e.cfg.RedisURL); err == nil {
			opt.ContextTimeoutEnabled = true
			rc := goredis.NewClient(opt)
			copier = &quotaCopier{counter: redis.NewQuotaCounter(rc, redis.QuotaOptions{Prefix: "aliscout:quota:", Timeout: 5 * time.Second}), db: db}
			closeFn = func() { rc.Close() }
		}
	}
	handle = func(w *jobs.Workers, publicURL string) error {
		svc, err := newOperator(db, publicURL, nil, log)
		if err != nil {
			return err
		}
		if copier != nil {
			jobs.HandleOperator(w, svc, copier)
		} else {
			jobs.HandleOperator(w, svc, nil)
		}
		return nil
	}
	return jobs.OperatorPeriodic(copier != nil), handle, closeFn
}

// quotaCopier copies the quota's counts from Redis to the store.
type quotaCopier struct {
	counter *redis.QuotaCounter
	db      store.Quota
}

func (c *quotaCopier) CopyQuota(ctx context.Context) error { return c.counter.CopyToStore(ctx, c.db) }

// consoleJobs is the job queue as the console uses it.
type consoleJobs struct{ q *jobs.Queue }

func consoleJob(j jobs.Job) web.ConsoleJob {
	return web.ConsoleJob{ID: j.ID, Kind: j.Kind, Args: j.Args, State: string(j.State), Attempt: j.Attempt, MaxAttempts: j.MaxAttempts,
		Errors: j.Errors, CreatedAt: j.CreatedAt, FinalizedAt: j.FinalizedAt}
}

func (c consoleJobs) list(js []jobs.Job, err error) ([]web.ConsoleJob, error) {
	if err != nil {
		return nil, err
	}
	out := make([]web.ConsoleJob, len(js))
	for i, j := range js {
		out[i] = consoleJob(j)
	}
	return out, nil
}

func (c consoleJobs) Pending(ctx context.Context, limit int) ([]web.ConsoleJob, error) {
	return c.list(c.q.List(ctx, limit, jobs.StateAvailable, jobs.StateScheduled, jobs.StateRunning, jobs.StateRetryable))
}

// Webhooks are the tracking alerts' webhook deliveries, newest first.
func (c consoleJobs) Webhooks(ctx context.Context, limit int) ([]web.ConsoleJob, error) {
	return c.list(c.q.Recent(ctx, jobs.DeliverWebhookArgs{}.Kind(), limit))
}

func (c consoleJobs) Failed(ctx context.Context, limit int) ([]web.ConsoleJob, error) {
	return c.list(c.q.Failed(ctx, limit))
}

func (c consoleJobs) Retry(ctx context.Context, id int64) error {
	_, err := c.q.Retry(ctx, id)
	return jobError(err)
}

func (c consoleJobs) Discard(ctx context.Context, id int64) error {
	j, err := c.q.Job(ctx, id)
	if err != nil {
		return jobError(err)
	}
	if j.State == jobs.StateRunning {
		return &catalog.Error{Code: catalog.EInvalid, Message: fmt.Sprintf("job %d is running: it cannot be discarded until it ends", id)}
	}
	return jobError(c.q.Discard(ctx, id))
}

// jobError makes a job the queue does not know the console's 404.
func jobError(err error) error {
	if errors.Is(err, jobs.ErrNotFound) {
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return err
}
