package sourcing

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/aliscout/aliscout/aliexpress"
)

// Defaults of the circuit breaker.
const (
	defaultBreakAfter = 5                // failures in a row that open a method's circuit
	defaultBreakFor   = 30 * time.Second // how long it stays open before one probe
)

// breaker is a circuit breaker per AliExpress method: after a run of failures that say the
// platform is not answering, calls of that method fail at once for a while, so that a failing
// gateway costs a handful of calls a minute instead of one per request; then one call probes,
// and a success closes the circuit. The cache serves stale data meanwhile.
type breaker struct {
	now        func() time.Time
	breakAfter int
	breakFor   time.Duration

	mu       sync.Mutex
	circuits map[string]*circuit
}

type circuit struct {
	failures  int       // in a row
	openUntil time.Time // zero: closed
	probing   bool      // a half-open probe is out
}

func newBreaker(now func() time.Time, breakAfter int, breakFor time.Duration) *breaker {
	return &breaker{now: now, breakAfter: breakAfter, breakFor: breakFor, circuits: map[string]*circuit{}}
}

// errCircuitOpen is wrapped by the error of a call the breaker refused.
var errCircuitOpen = errors.New("calls paused after repeated failures")

// allow says whether a call of method may go out now: nil, or an error that reads as the
// platform being unavailable.
func (b *breaker) allow(method string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[method]
	if c == nil || c.openUntil.IsZero() {
		return nil
	}
	now := b.now()
	if now.Before(c.openUntil) || c.probing {
		wait := max(c.openUntil.Sub(now), time.Second)
		return fmt.Errorf("%w: %s: %w for %s", aliexpress.ErrUnavailable, method, errCircuitOpen, wait.Round(time.Second))
	}
	c.probing = true // half-open: this call is the probe
	return nil
}

// done records the outcome of a call allow let through.
func (b *breaker) done(method string, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[method]
	if c == nil {
		c = &circuit{}
		b.circuits[method] = c
	}
	probe := c.probing
	c.probing = false
	if !platformDown(err) {
		c.failures, c.openUntil = 0, time.Time{}
		return
	}
	c.failures++
	if probe || c.failures >= b.breakAfter {
		c.openUntil = b.now().Add(b.breakFor)
	}
}

// platformDown reports failures that say the platform is not answering (as opposed to answers
// about the request, such as "no such product").
func platformDown(err error) bool {
	return err != nil && (errors.Is(err, aliexpress.ErrUnavailable) || errors.Is(err, aliexpress.ErrUnreadableResponse) ||
		errors.Is(err, aliexpress.ErrRateLimited) || errors.Is(err, context.DeadlineExceeded))
}

// guarded runs one SDK call of method through s's circuit breaker.
func guarded[T any](s *Service, method string, call func() (T, error)) (T, error) {
	if err := s.breaker.allow(method); err != nil {
		var zero T
		return zero, err
	}
	v, err := call()
	s.breaker.done(method, err)
	return v, err
}
