package aliexpress

import (
	"context"
	"math"
	"time"
)

// RetryPolicy says how failed calls are tried again. Only reads, and writes that carry an
// idempotency key, are retried; a refused request (signature, token, parameters) never is.
type RetryPolicy struct {
	MaxAttempts int           // attempts in all, including the first; 1 = no retries
	BaseDelay   time.Duration // the first back-off; it doubles each attempt, with full jitter
	MaxDelay    time.Duration // cap of one back-off
	// MaxBanWait is the longest platform ban (ApiCallLimit) worth waiting out; a longer ban is
	// returned to the caller at once as ErrRateLimited with RetryAfter set.
	MaxBanWait time.Duration
}

// DefaultRetryPolicy returns the policy a client uses unless WithRetryPolicy says otherwise: three
// attempts with jittered back-off from 250ms, and platform bans of up to 10s waited out. It is a
// function so that no caller can change the default of every other client in the process.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 3, BaseDelay: 250 * time.Millisecond, MaxDelay: 5 * time.Second, MaxBanWait: 10 * time.Second}
}

// shouldRetry decides whether to send r again after err, and how long to wait first.
func (c *Client) shouldRetry(ctx context.Context, r *request, err *Error, attempt int) (time.Duration, bool) {
	if attempt >= c.retry.MaxAttempts || !r.idempotent || ctx.Err() != nil {
		return 0, false
	}
	switch err.Kind {
	case ErrRateLimited:
		if err.RetryAfter > c.retry.MaxBanWait {
			return 0, false
		}
		// The ban is recorded for every caller of the client (do waits it out before the next
		// attempt); a little jitter on top keeps the callers waiting for it from returning together.
		return time.Duration(c.jitter.float64() * float64(c.retry.BaseDelay)), true
	case ErrUnavailable, ErrUnreadableResponse:
		return c.backoff(attempt), true
	}
	return 0, false
}

// backoff is full jitter: a random wait in [0, min(MaxDelay, BaseDelay*2^(attempt-1))].
func (c *Client) backoff(attempt int) time.Duration {
	d := float64(c.retry.BaseDelay) * math.Pow(2, float64(attempt-1))
	if max := float64(c.retry.MaxDelay); max > 0 && d > max {
		d = max
	}
	return time.Duration(c.jitter.float64() * d)
}
