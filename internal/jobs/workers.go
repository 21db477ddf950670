package jobs

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// Workers holds the handler of each job kind.
type Workers struct {
	w *river.Workers
}

// NewWorkers returns an empty set of handlers.
func NewWorkers() *Workers { return &Workers{w: river.NewWorkers()} }

// Work is one attempt at a job.
type Work[T Args] struct {
	ID          int64
	Attempt     int // 1 for the first
	MaxAttempts int
	Args        T
}

// Last reports whether this is the job's last attempt.
func (w Work[T]) Last() bool { return w.Attempt >= w.MaxAttempts }

// Handle makes fn the handler of T's kind. fn returning nil completes the job; an error fails this
// attempt (retried with backoff until the last, then discarded); Cancel(err) gives up at once
// without retrying; Snooze(d) runs it again after d without counting an attempt. It panics if
// the kind has a handler already.
func Handle[T Args](w *Workers, fn func(ctx context.Context, work Work[T]) error) {
	river.AddWorker(w.w, river.WorkFunc(func(ctx context.Context, j *river.Job[T]) error {
		return fn(ctx, Work[T]{ID: j.ID, Attempt: j.Attempt, MaxAttempts: j.MaxAttempts, Args: j.Args})
	}))
}

// Cancel wraps err so that the job is not retried: nothing a retry could change (the account it
// was for is gone).
func Cancel(err error) error {
	if err == nil {
		err = errors.New("cancelled")
	}
	return river.JobCancel(err)
}

// Snooze makes the job run again after d without counting an attempt.
func Snooze(d time.Duration) error { return river.JobSnooze(d) }
