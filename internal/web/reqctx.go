package web

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// requestContext is the context of a request that came through the middleware. It holds the
// request's state, and its budget: a deadline that costs nothing until something waits on it.
//
// Most requests never wait: an answer already kept in memory is written without calling out.
// context.WithTimeout would still give each of them a timer and a child registered with the
// request's context, about a fifth of what serving such an answer allocates. Here the deadline is
// known from the start (Deadline reports it, so the SDK and the database see it), and the timed
// context behind Done and Err is made by the first call to either; from then on it answers Value
// too, so contexts derived from this one are canceled through it directly, as with any context
// the standard library makes.
//
// One difference remains: context.Cause asked before anything called Done or Err reports the
// parent's cause. Cause is asked after Err or Done has said the context ended, which makes the
// timed context first.
type requestContext struct {
	parent   context.Context
	state    requestState
	deadline time.Time // zero: no budget of its own, only the parent's

	once  sync.Once
	timed atomic.Pointer[timedContext]
}

type timedContext struct {
	ctx    context.Context
	cancel context.CancelFunc
}

// newRequestContext returns the context of a request whose context was parent, with a budget
// ending at deadline (zero for none).
func newRequestContext(parent context.Context, deadline time.Time) *requestContext {
	return &requestContext{parent: parent, deadline: deadline}
}

// Deadline is the earlier of the budget's end and the parent's deadline.
func (c *requestContext) Deadline() (time.Time, bool) {
	d, ok := c.parent.Deadline()
	if c.deadline.IsZero() || (ok && d.Before(c.deadline)) {
		return d, ok
	}
	return c.deadline, true
}

// Done is closed when the budget ends or the parent is done.
func (c *requestContext) Done() <-chan struct{} { return c.bounded().Done() }

// Err says why Done was closed: context.DeadlineExceeded for the budget, else the parent's error.
func (c *requestContext) Err() error { return c.bounded().Err() }

// Value answers the request's state itself and everything else from the timed context once it
// exists (so that derived contexts find its cancellation), else from the parent.
func (c *requestContext) Value(key any) any {
	if key == (requestStateKey{}) {
		return &c.state
	}
	if t := c.timed.Load(); t != nil {
		return t.ctx.Value(key)
	}
	return c.parent.Value(key)
}

// bounded returns the context that ends with the budget, making it on first use.
func (c *requestContext) bounded() context.Context {
	if c.deadline.IsZero() {
		return c.parent
	}
	c.once.Do(func() {
		ctx, cancel := context.WithDeadline(c.parent, c.deadline)
		c.timed.Store(&timedContext{ctx: ctx, cancel: cancel})
	})
	return c.timed.Load().ctx
}

// release frees the budget's timer, if one was made; the request is over. A wait begun after
// it (by a goroutine the handler left behind) finds the parent already canceled by net/http,
// which makes no timer.
func (c *requestContext) release() {
	if t := c.timed.Load(); t != nil {
		t.cancel()
	}
}
