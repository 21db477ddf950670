// Package jobs runs aliscout's background work on River (github.com/riverqueue/river), in the
// database the store already uses: PostgreSQL through pgx when there are several replicas, the
// SQLite file on the embedded default. River's own migrations run at New.
//
// Every replica runs a Queue. A job is worked by one of them; a unique job (one token refresh per
// account) exists once whichever replica inserts it; periodic jobs are inserted by the one replica
// River elects leader; a job that fails is retried with backoff and, after its last attempt, kept
// as discarded for the operator (Failed, Retry, Discard). Stop lets running jobs finish; a job
// whose process died is rescued after Config.RescueAfter and run again, so every job must be
// idempotent.
//
// The job kinds of aliscout itself are in kinds.go; code outside this package never sees River.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver
)

// Driver is the database the queue lives in: Postgres or SQLite.
type Driver struct {
	pool *pgxpool.Pool
	db   *sql.DB
}

// Postgres keeps the queue in the PostgreSQL database of pool (the store's pool).
func Postgres(pool *pgxpool.Pool) Driver { return Driver{pool: pool} }

// SQLite keeps the queue in the SQLite database db, which must have been opened with OpenSQLite.
func SQLite(db *sql.DB) Driver { return Driver{db: db} }

// OpenSQLite opens the handle River uses on the SQLite file at path (the store's file, so that a
// backup holds the queue too). It is one connection of its own: River's polling must not queue
// behind the store's writer, nor the store's writes behind River's, and SQLite has one writer at a
// time anyway. Transactions take the write lock when they begin (so two writers wait for each
// other instead of failing to upgrade a read lock), and busy_timeout lets them wait. Close it
// after the Queue has stopped.
func OpenSQLite(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("jobs: bad database path %q", path)
	}
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"+
		"&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("jobs: open %s: %w", path, err)
	}
	return db, nil
}

// Config configures a Queue. Zero fields take the defaults named.
type Config struct {
	Driver Driver
	// Workers holds the handlers of the kinds this replica works. Handlers may be added until
	// Start.
	Workers *Workers
	// Periodic jobs are inserted by the elected replica at their intervals.
	Periodic []Periodic
	// MaxWorkers is how many jobs this replica works at once; default 4.
	MaxWorkers int
	// JobTimeout cancels a job's context after this long; default 2 minutes.
	JobTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken for a job whose process
	// died and run again; default 15 minutes. It must exceed JobTimeout.
	RescueAfter time.Duration
	// Backoff is the wait before attempt n+1 after attempt n failed; default River's
	// (n⁴ seconds, with jitter: 1 s, 16 s, 81 s, … about 3 days after the 25th).
	Backoff func(attempt int) time.Duration
	// MaxAttempts is a job's attempts unless its kind says otherwise; default 10.
	MaxAttempts int
	// PollInterval is how often an idle replica looks for new jobs when it cannot be told (SQLite,
	// or a job inserted by another replica that could not notify); default 1 second.
	PollInterval time.Duration
	// Logger receives River's log; default slog.Default(). Job errors are logged at warn.
	Logger *slog.Logger
	// ID names this replica in the queue's tables; default River's (host and start time).
	ID string

	// For tests: no leader election (no periodic jobs, no rescue) and no startup stagger.
	noLeader bool
	testOnly bool
}

// Periodic is a job inserted every Every by the elected replica.
type Periodic struct {
	Every time.Duration
	Args  Args
	// RunOnStart inserts one at once when a replica becomes the leader, not one Every later.
	RunOnStart bool
}

// Args are a job's arguments: a JSON-encodable struct whose Kind names its handler. Never put a
// secret in them: they are stored in clear and shown to the operator.
type Args interface {
	Kind() string
}

// InsertOpts change how one job is inserted.
type InsertOpts struct {
	// Unique inserts nothing when a job of the same kind and args is waiting, scheduled, running
	// or retrying already, whichever replica inserted it.
	Unique bool
	// MaxAttempts overrides the kind's and the queue's.
	MaxAttempts int
	// ScheduledAt runs the job no earlier than this.
	ScheduledAt time.Time
}

// argsWithOpts is Args whose kind has its own insert options.
type argsWithOpts interface {
	Args
	InsertOpts() InsertOpts
}

// uniqueStates are the states in which a unique job blocks another: all but the finished ones,
// so that a refresh done an hour ago does not stop the next one.
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

func (o InsertOpts) river() *river.InsertOpts {
	ro := &river.InsertOpts{MaxAttempts: o.MaxAttempts, ScheduledAt: o.ScheduledAt}
	if o.Unique {
		ro.UniqueOpts = river.UniqueOpts{ByArgs: true, ByState: uniqueStates}
	}
	return ro
}

func optsFor(args Args, opts *InsertOpts) InsertOpts {
	if opts != nil {
		return *opts
	}
	if a, ok := args.(argsWithOpts); ok {
		return a.InsertOpts()
	}
	return InsertOpts{}
}

// Queue is one replica's part of the job queue.
type Queue struct {
	c      client
	logger *slog.Logger
}

// New connects the queue to its database, migrates River's tables and returns a Queue that can
// insert at once and works jobs after Start.
func New(ctx context.Context, cfg Config) (*Queue, error) {
	if cfg.Workers == nil {
		cfg.Workers = NewWorkers()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.MaxWorkers == 0 {
		cfg.MaxWorkers = 4
	}
	if cfg.JobTimeout == 0 {
		cfg.JobTimeout = 2 * time.Minute
	}
	if cfg.RescueAfter == 0 {
		cfg.RescueAfter = 15 * time.Minute
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 10
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, fmt.Errorf("jobs: RescueAfter (%v) must exceed JobTimeout (%v)", cfg.RescueAfter, cfg.JobTimeout)
	}
	rc := &river.Config{
		ID:                   cfg.ID,
		Workers:              cfg.Workers.w,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		MaxAttempts:          cfg.MaxAttempts,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        min(cfg.PollInterval, river.FetchCooldownDefault),
		Logger:               cfg.Logger,
		ErrorHandler:         &errorLogger{cfg.Logger},
		// Discarded jobs stay a week for the operator to look at, retry or discard.
		DiscardedJobRetentionPeriod: 7 * 24 * time.Hour,
		LeaderElectionDisabled:      cfg.noLeader,
		TestOnly:                    cfg.testOnly,
	}
	if cfg.Backoff != nil {
		rc.RetryPolicy = backoffPolicy(cfg.Backoff)
	}
	for i, p := range cfg.Periodic {
		if p.Every <= 0 || p.Args == nil {
			return nil, fmt.Errorf("jobs: periodic job %d: want an interval above zero and args", i)
		}
		args := p.Args
		rc.PeriodicJobs = append(rc.PeriodicJobs, river.NewPeriodicJob(
			river.PeriodicInterval(p.Every),
			func() (river.JobArgs, *river.InsertOpts) { return args, optsFor(args, nil).river() },
			&river.PeriodicJobOpts{ID: args.Kind(), RunOnStart: p.RunOnStart}))
	}

	var (
		c   client
		err error
	)
	switch d := cfg.Driver; {
	case d.pool != nil:
		c, err = newClient(ctx, riverpgxv5.New(d.pool), rc, func(ctx context.Context, fn func() error) error {
			return withAdvisoryLock(ctx, d.pool, fn)
		})
	case d.db != nil:
		c, err = newClient(ctx, riversqlite.New(d.db), rc, nil)
	default:
		return nil, errors.New("jobs: no driver: use jobs.Postgres or jobs.SQLite")
	}
	if err != nil {
		return nil, err
	}
	return &Queue{c: c, logger: cfg.Logger}, nil
}

// migrationLockID serialises River's migrations between replicas starting together: "alijobs".
const migrationLockID = 0x616c696a6f6273

// withAdvisoryLock runs fn holding a PostgreSQL session lock; River's migrator takes none.
func withAdvisoryLock(ctx context.Context, pool *pgxpool.Pool, fn func() error) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLockID)); err != nil {
		return err
	}
	defer conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLockID))
	return fn()
}

// Start starts working jobs and, on the elected replica, inserting periodic ones and rescuing
// stuck ones. It returns at once; call Stop to end.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.c.Start(ctx); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for running ones to finish. When ctx ends first (the grace
// period after SIGTERM), the running jobs' contexts are cancelled and River releases them: they
// are available again, the interrupted attempt not counted, for another replica or the next
// start. A job that does not return even then is rescued after RescueAfter. Stop returns ctx's
// error in that case.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.c.Stop(ctx)
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		return fmt.Errorf("jobs: stop: %w", err)
	}
	// The grace period is over: cancel the running jobs and give them a moment to record it.
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if cerr := q.c.StopAndCancel(cctx); cerr != nil {
		q.logger.Warn("jobs: running jobs did not return after cancellation", "error", cerr)
	}
	return fmt.Errorf("jobs: stop: %w", ctx.Err())
}

// Inserted says what Insert did.
type Inserted struct {
	ID        int64
	Duplicate bool // a unique job was there already; ID is that job's
}

// Insert adds a job. opts nil takes the kind's own options (Args with an InsertOpts method).
func (q *Queue) Insert(ctx context.Context, args Args, opts *InsertOpts) (Inserted, error) {
	res, err := q.c.Insert(ctx, args, optsFor(args, opts).river())
	if err != nil {
		return Inserted{}, fmt.Errorf("jobs: insert %s: %w", args.Kind(), err)
	}
	return Inserted{ID: res.Job.ID, Duplicate: res.UniqueSkippedAsDuplicate}, nil
}

// State is where a job stands.
type State string

// States of a job, River's names.
const (
	StateAvailable State = "available"
	StateScheduled State = "scheduled"
	StateRunning   State = "running"
	StateRetryable State = "retryable" // failed, to be tried again
	StateCompleted State = "completed"
	StateDiscarded State = "discarded" // failed for good
	StateCancelled State = "cancelled"
)

// Job is a job as the operator sees it.
type Job struct {
	ID          int64
	Kind        string
	Args        string // JSON
	State       State
	Attempt     int // attempts made
	MaxAttempts int
	Errors      []string // the error of each failed attempt, oldest first
	CreatedAt   time.Time
	ScheduledAt time.Time
	FinalizedAt time.Time // zero while not finished
}

func jobFrom(r *rivertype.JobRow) Job {
	j := Job{
		ID: r.ID, Kind: r.Kind, Args: string(r.EncodedArgs), State: State(r.State),
		Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		CreatedAt: r.CreatedAt.UTC(), ScheduledAt: r.ScheduledAt.UTC(),
	}
	if r.FinalizedAt != nil {
		j.FinalizedAt = r.FinalizedAt.UTC()
	}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, e.Error)
	}
	return j
}

// ErrNotFound: no job with that id (it may have been cleaned up).
var ErrNotFound = errors.New("jobs: no such job")

// Job returns one job.
func (q *Queue) Job(ctx context.Context, id int64) (Job, error) {
	r, err := q.c.JobGet(ctx, id)
	if err != nil {
		return Job{}, jobErr("job", err)
	}
	return jobFrom(r), nil
}

// Failed returns up to limit jobs that failed for good, most recent first.
func (q *Queue) Failed(ctx context.Context, limit int) ([]Job, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	res, err := q.c.JobList(ctx, river.NewJobListParams().
		States(rivertype.JobStateDiscarded).
		OrderBy(river.JobListOrderByFinalizedAt, river.SortOrderDesc).
		First(limit))
	if err != nil {
		return nil, fmt.Errorf("jobs: failed jobs: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, jobFrom(r))
	}
	return out, nil
}

// List returns up to limit jobs in any of states (all states when none), oldest first: for the
// operator's view of what is waiting, running or retrying.
func (q *Queue) List(ctx context.Context, limit int, states ...State) ([]Job, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	p := river.NewJobListParams().OrderBy(river.JobListOrderByID, river.SortOrderAsc).First(limit)
	if len(states) > 0 {
		rs := make([]rivertype.JobState, len(states))
		for i, st := range states {
			rs[i] = rivertype.JobState(st)
		}
		p = p.States(rs...)
	}
	res, err := q.c.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, jobFrom(r))
	}
	return out, nil
}

// Recent returns the jobs of one kind in every state, newest first, at most limit (default 100).
func (q *Queue) Recent(ctx context.Context, kind string, limit int) ([]Job, error) {
	if limit <= 0 || limit > 10000 {
		limit = 100
	}
	res, err := q.c.JobList(ctx, river.NewJobListParams().Kinds(kind).
		States(rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateCompleted, rivertype.JobStateDiscarded, rivertype.JobStateCancelled).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("jobs: recent %s: %w", kind, err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, jobFrom(r))
	}
	return out, nil
}

// Retry makes a job that failed for good (or is waiting for a retry) run again at once, with its
// attempts counted afresh.
func (q *Queue) Retry(ctx context.Context, id int64) (Job, error) {
	r, err := q.c.JobRetry(ctx, id)
	if err != nil {
		return Job{}, jobErr("retry", err)
	}
	return jobFrom(r), nil
}

// Discard gives up on a job: one that failed for good is deleted from the list; one still waiting
// or retrying is cancelled. A running job cannot be discarded.
func (q *Queue) Discard(ctx context.Context, id int64) error {
	r, err := q.c.JobGet(ctx, id)
	if err != nil {
		return jobErr("discard", err)
	}
	switch r.State {
	case rivertype.JobStateRunning:
		return fmt.Errorf("jobs: discard %d: the job is running", id)
	case rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStatePending:
		_, err = q.c.JobCancel(ctx, id)
	default:
		_, err = q.c.JobDelete(ctx, id)
	}
	if err != nil {
		return jobErr("discard", err)
	}
	return nil
}

func jobErr(op string, err error) error {
	if errors.Is(err, river.ErrNotFound) {
		return fmt.Errorf("jobs: %s: %w", op, ErrNotFound)
	}
	return fmt.Errorf("jobs: %s: %w", op, err)
}

// client is what Queue uses of a *river.Client, whichever its transaction type.
type client interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	JobGet(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobList(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	JobRetry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobCancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	JobDelete(ctx context.Context, id int64) (*rivertype.JobRow, error)
}

var (
	_ client = (*river.Client[pgx.Tx])(nil)
	_ client = (*river.Client[*sql.Tx])(nil)
)

// newClient migrates River's tables (under lock, when given) and makes the client.
func newClient[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], rc *river.Config, lock func(context.Context, func() error) error) (client, error) {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: rc.Logger})
	if err != nil {
		return nil, fmt.Errorf("jobs: migrate: %w", err)
	}
	up := func() error {
		_, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
		return err
	}
	if lock != nil {
		err = lock(ctx, up)
	} else {
		err = up()
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: migrate: %w", err)
	}
	c, err := river.NewClient(driver, rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return c, nil
}

// errorLogger logs each failed attempt once, at warn, with River's job id and kind.
type errorLogger struct{ logger *slog.Logger }

func (h *errorLogger) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.logger.WarnContext(ctx, "job failed", "job_id", job.ID, "kind", job.Kind, "attempt", job.Attempt,
		"max_attempts", job.MaxAttempts, "error", err)
	return nil
}

func (h *errorLogger) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, trace string) *river.ErrorHandlerResult {
	h.logger.ErrorContext(ctx, "job panicked", "job_id", job.ID, "kind", job.Kind, "panic", fmt.Sprint(panicVal), "trace", trace)
	return nil
}

// backoffPolicy is a River retry policy from a function of the attempt.
type backoffPolicy func(attempt int) time.Duration

func (f backoffPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(f(job.Attempt))
}
