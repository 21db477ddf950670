package web

import (
	"context"
	"errors"
	"testing"
	"time"
)

type reqctxKey struct{}

// TestRequestContextBudget: the budget's deadline is reported from the start, the timer behind it
// is made only when something waits, and then the context ends as context.WithDeadline's would.
func TestRequestContextBudget(t *testing.T) {
	parent := context.WithValue(t.Context(), reqctxKey{}, "parent's")
	deadline := time.Now().Add(30 * time.Millisecond)
	c := newRequestContext(parent, deadline)

	if d, ok := c.Deadline(); !ok || !d.Equal(deadline) {
		t.Errorf("Deadline() = %v, %v; want %v, true", d, ok, deadline)
	}
	if got := c.Value(reqctxKey{}); got != "parent's" {
		t.Errorf("Value(parent's key) = %v; want the parent's value", got)
	}
	if st := c.Value(requestStateKey{}).(*requestState); st != &c.state {
		t.Error("Value(requestStateKey{}) is not the request's own state")
	}
	if c.timed.Load() != nil {
		t.Fatal("a timer was made before anything waited on the context")
	}

	child, cancel := context.WithCancel(c) // waits on c: makes the timer
	defer cancel()
	if c.timed.Load() == nil {
		t.Fatal("no timer after a derived context began to wait")
	}
	if err := c.Err(); err != nil {
		t.Fatalf("Err() before the deadline = %v", err)
	}
	select {
	case <-child.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a context derived from the request's did not end with its budget")
	}
	if !errors.Is(c.Err(), context.DeadlineExceeded) || !errors.Is(child.Err(), context.DeadlineExceeded) {
		t.Errorf("Err() = %v, child's %v; want context.DeadlineExceeded", c.Err(), child.Err())
	}
	if cause := context.Cause(c); !errors.Is(cause, context.DeadlineExceeded) {
		t.Errorf("Cause() = %v; want context.DeadlineExceeded", cause)
	}
	if got := c.Value(reqctxKey{}); got != "parent's" {
		t.Errorf("Value(parent's key) once timed = %v; want the parent's value", got)
	}
}

// TestRequestContextEnds: a budget already spent is seen by the first Err, the parent's end
// passes through, release ends the budget early, and without a budget the parent is all there is.
func TestRequestContextEnds(t *testing.T) {
	spent := newRequestContext(t.Context(), time.Now().Add(-time.Second))
	if err := spent.Err(); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Err() past the deadline = %v; want context.DeadlineExceeded", err)
	}

	parent, cancelParent := context.WithCancel(t.Context())
	c := newRequestContext(parent, time.Now().Add(time.Hour))
	cancelParent()
	<-c.Done()
	if !errors.Is(c.Err(), context.Canceled) {
		t.Errorf("Err() after the parent's end = %v; want context.Canceled", c.Err())
	}

	r := newRequestContext(t.Context(), time.Now().Add(time.Hour))
	done := r.Done()
	r.release()
	select {
	case <-done:
	default:
		t.Error("release did not end the budget's timer")
	}
	newRequestContext(t.Context(), time.Now().Add(time.Hour)).release() // nothing made, nothing to free

	parent2, cancel2 := context.WithDeadline(t.Context(), time.Now().Add(time.Minute))
	defer cancel2()
	none := newRequestContext(parent2, time.Time{})
	if none.Done() != parent2.Done() {
		t.Error("without a budget, Done is not the parent's")
	}
	pd, _ := parent2.Deadline()
	if d, _ := none.Deadline(); !d.Equal(pd) {
		t.Errorf("without a budget, Deadline() = %v; want the parent's", d)
	}
	earlier := newRequestContext(parent2, time.Now().Add(time.Hour))
	if d, _ := earlier.Deadline(); d.After(time.Now().Add(2 * time.Minute)) {
		t.Errorf("Deadline() = %v; want the parent's earlier one", d)
	}
}
